#pragma once

#include <functional>
#include <memory>

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QUrl>

#include "core/common/result.h"
#include "core/pubsub/publisher.h"
#include "core/rest/restclient.h"

namespace Aq::Remote
{
    // GET /events's filters; empty ones are not sent.
    struct EventsFilter
    {
        QString eventType;
        QString userId;
        QDateTime since;
        QDateTime until;

        bool operator==(const EventsFilter &) const = default;
    };

    // A page of GET /events (rows {event_id, timestamp, event_data}) or GET /dead-letters (rows of the error
    // table), and the token of the next page, empty on the last one.
    struct RemotePage
    {
        QList<QJsonObject> rows;
        QString nextPageToken;
    };

    // An Aqueduct server's operator API (`aqueduct serve`, DESIGN.md's HTTP API) over a RestClient: the reads and
    // writes a console makes when it watches a deployed server instead of running the pipeline itself. The API key,
    // when there is one, goes as a bearer token; errors come back as ApiErrors read from Google's error shape.
    class OperatorClient final : public QObject
    {
        Q_OBJECT

    public:
        template <typename T>
        using Callback = std::function<void(Result<T>)>;

        // Checks the URL: http or https, a host, no query; a path is kept as a prefix (a server behind a proxy).
        static Result<QUrl> normalizeBaseUrl(const QString &text);

        // `baseUrl` from normalizeBaseUrl(); an empty `apiKey` sends none.
        OperatorClient(const QUrl &baseUrl, const QByteArray &apiKey, Rest::NetworkAccessFactory networkAccess = Rest::plainNetworkAccess(),
                       QObject *parent = nullptr);
        ~OperatorClient() override;

        QUrl baseUrl() const { return m_baseUrl; }

        void stats(QObject *context, Callback<QJsonObject> done);
        // windowSeconds: 60, 900 or 3600.
        void series(int windowSeconds, QObject *context, Callback<QJsonObject> done);
        // Newest first; limit 1..1000.
        void events(const EventsFilter &filter, int limit, const QString &pageToken, QObject *context, Callback<RemotePage> done);
        void deadLetters(int limit, const QString &pageToken, QObject *context, Callback<RemotePage> done);

        // For a PubSub::Publisher: batches go to POST /publish (with ?validate=true the server checks them against
        // its table's schema and publishes none of a batch that fails), or to POST /dead-letters/redrive.
        PubSub::Publisher::BatchSender publishSender(bool validate);
        PubSub::Publisher::BatchSender redriveSender();

    private:
        QUrl urlFor(const QString &path, const QList<std::pair<QString, QString>> &query = {}) const;
        void getPage(const QUrl &url, QObject *context, Callback<RemotePage> done);
        void getObject(const QUrl &url, QObject *context, Callback<QJsonObject> done);
        PubSub::Publisher::BatchSender senderTo(const QUrl &url);

        QUrl m_baseUrl;
        Rest::RestClient *m_rest;
    };
}
