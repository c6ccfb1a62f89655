#include "core/config/connection.h"

#include <QNetworkAccessManager>
#include <QPointer>

#include "core/auth/bearerkeycredentials.h"
#include "core/auth/credentialsloader.h"
#include "core/auth/nocredentials.h"
#include "core/bigquery/bigqueryclient.h"
#include "core/pubsub/pubsubclient.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Config
{
    Connection::Connection(Profile profile)
        : m_profile {std::move(profile)}
        , m_tokenNetwork {new QNetworkAccessManager(this)}
    {
    }

    Connection::~Connection()
    {
        // The clients (and the credentials they hold) go before the network the credentials use.
        delete m_pubsub;
        delete m_bigquery;
        const QList<Rest::RestClient *> rests = findChildren<Rest::RestClient *>(Qt::FindDirectChildrenOnly);
        qDeleteAll(rests);
    }

    QString Connection::describe() const
    {
        if (m_pubsubRoute == m_bigqueryRoute)
            return u"%1, project %2"_s.arg(m_pubsubRoute, m_profile.project);
        return u"Pub/Sub: %1; BigQuery: %2; project %3"_s.arg(m_pubsubRoute, m_bigqueryRoute, m_profile.project);
    }

    void Connection::open(const Profile &profile, LocalBackendAccess *local, QObject *context, Done done)
    {
        std::unique_ptr<Connection> connection(new Connection(profile));
        Connection *raw = connection.get();

        // Builds the two clients once the Google credentials (if any) are known.
        auto finish = [raw, local](std::shared_ptr<Auth::Credentials> google) -> Status {
            Profile &p = raw->m_profile;
            if (p.project.isEmpty() && google)
                p.project = google->projectId();
            if (p.project.isEmpty()) {
                return ApiError::invalidArgument(u"no Google Cloud project: give --project or set GOOGLE_CLOUD_PROJECT (the credentials (%1) do not name one)"_s
                                                     .arg(google ? google->description() : u"none"_s));
            }
            std::optional<LocalBackendAccess::Route> localRoute;
            for (ServiceLocation *service : {&p.pubsub, &p.bigquery}) {
                if (service->backend != Backend::Local || localRoute || (service == &p.bigquery && !p.usesBigQuery()))
                    continue;
                if (!local)
                    return ApiError::internal(u"the local backend is not available in this program"_s);
                Result<LocalBackendAccess::Route> route = local->open(p.dataDir);
                if (!route)
                    return route.error();
                localRoute = *route;
            }
            const auto keyCredentials = [&p]() -> std::shared_ptr<Auth::Credentials> {
                if (p.apiKey.isEmpty())
                    return std::make_shared<Auth::NoCredentials>();
                return std::make_shared<Auth::BearerKeyCredentials>(p.apiKey, p.apiKeySource);
            };
            const auto makeRest = [&](const ServiceLocation &service, QUrl *endpoint, QString *route) {
                Rest::NetworkAccessFactory network = Rest::plainNetworkAccess();
                std::shared_ptr<Auth::Credentials> credentials;
                switch (service.backend) {
                case Backend::Local:
                    *endpoint = localRoute->endpoint;
                    network = localRoute->networkAccess;
                    credentials = keyCredentials();
                    *route = localRoute->description;
                    break;
                case Backend::Emulator:
                    *endpoint = service.endpoint;
                    credentials = keyCredentials();
                    *route = u"emulator %1"_s.arg(service.endpoint.toString());
                    break;
                case Backend::Gcp:
                    *endpoint = service.endpoint;
                    credentials = google;
                    *route = u"Google Cloud %1 as %2"_s.arg(service.endpoint.host(), google->description());
                    break;
                }
                return new Rest::RestClient(network, credentials, {}, raw);
            };
            QUrl pubsubEndpoint;
            QUrl bigqueryEndpoint;
            Rest::RestClient *pubsubRest = makeRest(p.pubsub, &pubsubEndpoint, &raw->m_pubsubRoute);
            raw->m_pubsub = new PubSub::PubSubClient(pubsubRest, pubsubEndpoint, p.project, raw);
            if (!p.usesBigQuery()) {
                raw->m_bigqueryRoute = raw->m_pubsubRoute;
                return Ok {};
            }
            Rest::RestClient *bigqueryRest = makeRest(p.bigquery, &bigqueryEndpoint, &raw->m_bigqueryRoute);
            raw->m_bigquery = new BigQuery::BigQueryClient(bigqueryRest, bigqueryEndpoint, p.project, raw);
            return Ok {};
        };

        if (!profile.usesGcp()) {
            const Status status = finish(nullptr);
            status ? done(std::move(connection)) : done(status.error());
            return;
        }
        if (!profile.credentialsFile.isEmpty()) {
            Auth::CredentialsResult credentials = Auth::loadCredentialsFile(profile.credentialsFile, raw->m_tokenNetwork);
            if (!credentials) {
                done(credentials.error());
                return;
            }
            const Status status = finish(std::shared_ptr<Auth::Credentials>(std::move(*credentials)));
            status ? done(std::move(connection)) : done(status.error());
            return;
        }
        auto holder = std::make_shared<std::unique_ptr<Connection>>(std::move(connection));
        QPointer<QObject> guard(context);
        const bool hadContext = context != nullptr;
        Auth::applicationDefaultCredentials(raw->m_tokenNetwork, {}, raw, [holder, finish, done, guard, hadContext](Auth::CredentialsResult credentials) {
            if (hadContext && !guard)
                return;
            if (!credentials) {
                done(credentials.error());
                return;
            }
            const Status status = finish(std::shared_ptr<Auth::Credentials>(std::move(*credentials)));
            status ? done(std::move(*holder)) : done(status.error());
        });
    }
}
