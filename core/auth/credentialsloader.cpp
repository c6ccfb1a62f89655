#include "core/auth/credentialsloader.h"

#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QPointer>

#include "core/auth/authlogging.h"
#include "core/auth/authorizedusercredentials.h"
#include "core/auth/credentialsfile.h"
#include "core/auth/metadataservercredentials.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    namespace
    {
        const QString HOW_TO_FIX = u"Set GOOGLE_APPLICATION_CREDENTIALS to the path of a service account key file, "
                                   "or run `gcloud auth application-default login`."_s;

        // What the options say for every kind of token credentials.
        CredentialsResult configured(std::unique_ptr<AccessTokenCredentials> credentials, const CredentialsOptions &options)
        {
            if (!options.environment.quotaProject.isEmpty())
                credentials->setQuotaProjectId(options.environment.quotaProject);
            credentials->setRequestTimeout(options.tokenRequestTimeoutMs);
            return std::unique_ptr<Credentials>(std::move(credentials));
        }

        CredentialsResult fromFile(const CredentialsFile &file, QNetworkAccessManager *network, const CredentialsOptions &options)
        {
            const QString type = file.type();
            if (type == u"service_account"_s) {
                Result<ServiceAccountKey> key = ServiceAccountKey::fromFile(file);
                if (!key)
                    return key.error();
                auto credentials = std::make_unique<ServiceAccountCredentials>(std::move(*key), network);
                credentials->setTokenMode(options.serviceAccountTokenMode);
                credentials->setScopes(options.scopes);
                return configured(std::move(credentials), options);
            }
            if (type == u"authorized_user"_s) {
                Result<AuthorizedUser> user = AuthorizedUser::fromFile(file);
                if (!user)
                    return user.error();
                return configured(std::make_unique<AuthorizedUserCredentials>(std::move(*user), network), options);
            }
            if (type.isEmpty())
                return file.invalid(u"it has no \"type\" field, so it is neither a service account key nor gcloud's "
                                    "application_default_credentials.json."_s);
            return file.invalid(u"its type \"%1\" is not supported. Aqueduct reads \"service_account\" (a service account key) "
                                "and \"authorized_user\" (from gcloud auth application-default login)."_s.arg(type.left(60)));
        }

        CredentialsResult withPrefix(CredentialsResult result, const QString &prefix)
        {
            if (!result) {
                ApiError error = result.error();
                error.message = prefix + error.message;
                return error;
            }
            return result;
        }
    }

    CredentialsResult loadCredentialsFile(const QString &path, QNetworkAccessManager *network, const CredentialsOptions &options)
    {
        Result<CredentialsFile> file = CredentialsFile::read(path);
        if (!file)
            return file.error();
        CredentialsResult credentials = fromFile(*file, network, options);
        if (credentials)
            qCInfo(lcAuth).noquote() << u"Using %1."_s.arg((*credentials)->description());
        return credentials;
    }

    void applicationDefaultCredentials(QNetworkAccessManager *network, const CredentialsOptions &options, QObject *context,
                                       std::function<void(CredentialsResult)> callback)
    {
        const CredentialsEnvironment &environment = options.environment;
        if (!environment.applicationCredentials.isEmpty()) {
            callback(withPrefix(loadCredentialsFile(environment.applicationCredentials, network, options),
                                u"GOOGLE_APPLICATION_CREDENTIALS: "_s));
            return;
        }
        const QString wellKnownFile = environment.wellKnownFile();
        if (!wellKnownFile.isEmpty() && QFileInfo::exists(wellKnownFile)) {
            callback(withPrefix(loadCredentialsFile(wellKnownFile, network, options), u"gcloud's application default credentials: "_s));
            return;
        }

        const QString tried = u"No Google credentials found. Tried: GOOGLE_APPLICATION_CREDENTIALS (not set); gcloud's application default "
                              "credentials file %1; "_s
                                  .arg(wellKnownFile.isEmpty() ? u"(neither HOME nor CLOUDSDK_CONFIG is set)"_s : wellKnownFile + u" (no such file)"_s);
        if (!network) {
            callback(ApiError::failedPrecondition(tried + u"the metadata server (no network access manager to ask with). "_s + HOW_TO_FIX));
            return;
        }
        // a child of the network manager while it probes, so it goes with the manager if that goes first
        auto *metadata = new MetadataServerCredentials(network, environment.metadataHost, network);
        metadata->setRequestTimeout(options.tokenRequestTimeoutMs);
        if (options.scopes != QStringList {CLOUD_PLATFORM_SCOPE})
            metadata->setScopes(options.scopes);
        const QPointer<QObject> guard {context};
        const bool hasContext = context != nullptr;
        metadata->fetchProjectId(options.metadataProbeTimeoutMs, [metadata, guard, hasContext, tried, callback = std::move(callback)](Result<QString> projectId) {
            if (hasContext && !guard) {
                metadata->deleteLater();
                return;
            }
            if (!projectId) {
                metadata->deleteLater();
                callback(ApiError::failedPrecondition(tried + projectId.error().message + u' ' + HOW_TO_FIX));
                return;
            }
            metadata->setParent(nullptr);
            qCInfo(lcAuth).noquote() << u"Using the %1, project %2."_s.arg(metadata->description(), *projectId);
            callback(std::unique_ptr<Credentials>(metadata));
        });
    }
}
