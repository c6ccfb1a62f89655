#pragma once

#include <functional>
#include <memory>

#include <QObject>
#include <QUrl>

#include "core/common/result.h"
#include "core/config/profile.h"
#include "core/rest/restclient.h"

class QNetworkAccessManager;

namespace Aq::PubSub
{
    class PubSubClient;
}

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::Config
{
    // How a service on the local backend is reached. aq_localcloud implements it (LocalBackend): over the data
    // folder owner's loopback endpoint when another process owns the folder, else in-process.
    class LocalBackendAccess
    {
    public:
        struct Route
        {
            QUrl endpoint;
            Rest::NetworkAccessFactory networkAccess;
            QString description;     // "the local cloud of process 1234 at http://127.0.0.1:8080"
        };

        virtual ~LocalBackendAccess() = default;
        virtual Result<Route> open(const QString &dataDir) = 0;
    };

    // A profile made real: a RestClient, credentials and a client per service. Google Cloud takes OAuth2
    // (the credentials file, else Application Default Credentials); emulators and the local cloud take none,
    // or the API key of an Aqueduct server as the bearer token.
    class Connection final : public QObject
    {
        Q_OBJECT

    public:
        using Done = std::function<void(Result<std::unique_ptr<Connection>>)>;

        // Asynchronous: Application Default Credentials may ask the metadata server. `local` is needed when
        // a service is on the local backend and must outlive the connection.
        static void open(const Profile &profile, LocalBackendAccess *local, QObject *context, Done done);
        ~Connection() override;

        const Profile &profile() const { return m_profile; }
        QString project() const { return m_profile.project; }
        PubSub::PubSubClient *pubsub() const { return m_pubsub; }
        BigQuery::BigQueryClient *bigquery() const { return m_bigquery; }   // null for a profile of Services::PubSubOnly
        // What this talks to, for status lines and messages.
        QString describe() const;

    private:
        explicit Connection(Profile profile);

        Profile m_profile;
        QNetworkAccessManager *m_tokenNetwork = nullptr;
        QString m_pubsubRoute;
        QString m_bigqueryRoute;
        PubSub::PubSubClient *m_pubsub = nullptr;
        BigQuery::BigQueryClient *m_bigquery = nullptr;
    };
}
