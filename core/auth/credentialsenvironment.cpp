#include "core/auth/credentialsenvironment.h"

#include <QDir>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    CredentialsEnvironment CredentialsEnvironment::fromProcess()
    {
        CredentialsEnvironment environment;
        environment.applicationCredentials = qEnvironmentVariable("GOOGLE_APPLICATION_CREDENTIALS");
        environment.cloudSdkConfig = qEnvironmentVariable("CLOUDSDK_CONFIG");
        environment.home = qEnvironmentVariable("HOME", QDir::homePath());
        environment.quotaProject = qEnvironmentVariable("GOOGLE_CLOUD_QUOTA_PROJECT");
        environment.metadataHost = qEnvironmentVariable("GCE_METADATA_HOST");
        if (environment.metadataHost.isEmpty())
            environment.metadataHost = qEnvironmentVariable("GCE_METADATA_IP");
        return environment;
    }

    QString CredentialsEnvironment::wellKnownFile() const
    {
        static const QString FILE_NAME = u"application_default_credentials.json"_s;
        if (!cloudSdkConfig.isEmpty())
            return QDir(cloudSdkConfig).filePath(FILE_NAME);
        if (!home.isEmpty())
            return QDir(home).filePath(u".config/gcloud/"_s + FILE_NAME);
        return {};
    }
}
