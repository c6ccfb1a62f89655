#pragma once

#include <functional>
#include <memory>

#include <QStringList>

#include "core/auth/credentials.h"
#include "core/auth/credentialsenvironment.h"
#include "core/auth/serviceaccountcredentials.h"

class QNetworkAccessManager;

namespace Aq::Auth
{
    struct CredentialsOptions
    {
        QStringList scopes {CLOUD_PLATFORM_SCOPE};
        ServiceAccountTokenMode serviceAccountTokenMode = ServiceAccountTokenMode::Exchange;
        int tokenRequestTimeoutMs = 10000;
        // How long Application Default Credentials wait for a metadata server before deciding there is none.
        int metadataProbeTimeoutMs = 1000;
        CredentialsEnvironment environment = CredentialsEnvironment::fromProcess();
    };

    using CredentialsResult = Result<std::unique_ptr<Credentials>>;

    // Credentials from a JSON credentials file: a service account key ("type":"service_account") or gcloud's
    // application_default_credentials.json ("type":"authorized_user"). The error names the file and what is wrong
    // with it (missing, unreadable, not JSON, unknown type, a missing field, a bad private key). `network` is not
    // owned and must outlive the credentials.
    CredentialsResult loadCredentialsFile(const QString &path, QNetworkAccessManager *network, const CredentialsOptions &options = {});

    // Google's Application Default Credentials (gcp-rest.md 3.6): the file named by GOOGLE_APPLICATION_CREDENTIALS,
    // else gcloud's well-known file, else the metadata server if one answers within metadataProbeTimeoutMs. A file
    // that is found but broken is an error, not a reason to look further. When nothing is found, the error says what
    // was tried and how to fix it.
    //
    // The callback runs before this returns when a file decides, else later on this thread; it is not called if
    // `context` (when given) is destroyed first, nor if `network` is.
    void applicationDefaultCredentials(QNetworkAccessManager *network, const CredentialsOptions &options, QObject *context,
                                       std::function<void(CredentialsResult)> callback);
}
