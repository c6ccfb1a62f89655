#pragma once

#include <QString>

namespace Aq::Auth
{
    // The inputs that Application Default Credentials read from the environment, gathered in one place so that
    // tests can pass their own instead of changing the process environment.
    struct CredentialsEnvironment
    {
        QString applicationCredentials;   // GOOGLE_APPLICATION_CREDENTIALS
        QString cloudSdkConfig;           // CLOUDSDK_CONFIG: gcloud's configuration folder
        QString home;                     // HOME
        QString quotaProject;             // GOOGLE_CLOUD_QUOTA_PROJECT: overrides a file's quota_project_id
        QString metadataHost;             // GCE_METADATA_HOST (or GCE_METADATA_IP): host[:port] of the metadata server

        static CredentialsEnvironment fromProcess();

        // gcloud's application_default_credentials.json: under CLOUDSDK_CONFIG when set, else under
        // $HOME/.config/gcloud; empty when neither is known.
        QString wellKnownFile() const;
    };
}
