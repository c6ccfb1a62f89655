#include "core/remote/operatorclient.h"

#include <QJsonArray>
#include <QJsonDocument>

#include "core/auth/bearerkeycredentials.h"
#include "core/auth/nocredentials.h"

using namespace Qt::Literals::StringLiterals;
using namespace std::chrono_literals;

namespace Aq::Remote
{
    namespace
    {
        constexpr std::chrono::milliseconds ReadDeadline = 20s;
        constexpr std::chrono::milliseconds PublishDeadline = 60s;

        std::shared_ptr<Auth::Credentials> credentialsFor(const QByteArray &apiKey)
        {
            if (apiKey.isEmpty())
                return std::make_shared<Auth::NoCredentials>();
            return std::make_shared<Auth::BearerKeyCredentials>(apiKey, u"the console's API key"_s);
        }

        ApiError badReply(const QUrl &url, const QString &what)
        {
            return ApiError::internal(u"%1 answered %2; is it an Aqueduct server (aqueduct serve)?"_s.arg(url.toString(QUrl::RemoveQuery), what));
        }

        QString rfc3339(const QDateTime &time)
        {
            return time.toUTC().toString(Qt::ISODateWithMs);
        }
    }

    Result<QUrl> OperatorClient::normalizeBaseUrl(const QString &text)
    {
        const QString trimmed = text.trimmed();
        if (trimmed.isEmpty())
            return ApiError::invalidArgument(u"No server URL; give the address of an `aqueduct serve`, e.g. https://aqueduct-abc.a.run.app"_s);
        QUrl url = QUrl::fromUserInput(trimmed);
        if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s) || url.host().isEmpty())
            return ApiError::invalidArgument(u"\"%1\" is not an http:// or https:// URL with a host"_s.arg(trimmed));
        if (url.hasQuery() || url.hasFragment())
            return ApiError::invalidArgument(u"\"%1\": give the server's address without a query or fragment"_s.arg(trimmed));
        if (!url.userInfo().isEmpty())
            return ApiError::invalidArgument(u"\"%1\": put the API key in its own field, not in the URL"_s.arg(url.toString(QUrl::RemoveUserInfo)));
        QString path = url.path();
        while (path.endsWith(u'/'))
            path.chop(1);
        url.setPath(path);
        return url;
    }

    OperatorClient::OperatorClient(const QUrl &baseUrl, const QByteArray &apiKey, Rest::NetworkAccessFactory networkAccess, QObject *parent)
        : QObject(parent)
        , m_baseUrl {baseUrl}
        , m_rest {new Rest::RestClient(std::move(networkAccess), credentialsFor(apiKey), {}, this)}
    {
    }

    OperatorClient::~OperatorClient() = default;

    QUrl OperatorClient::urlFor(const QString &path, const QList<std::pair<QString, QString>> &query) const
    {
        QUrl url = m_baseUrl;
        url.setPath(m_baseUrl.path() + path);
        QByteArray encoded;
        for (const auto &[name, value] : query) {
            if (value.isEmpty())
                continue;
            if (!encoded.isEmpty())
                encoded += '&';
            encoded += name.toLatin1() + '=' + QUrl::toPercentEncoding(value);
        }
        if (!encoded.isEmpty())
            url.setQuery(QString::fromLatin1(encoded), QUrl::StrictMode);
        return url;
    }

    void OperatorClient::getObject(const QUrl &url, QObject *context, Callback<QJsonObject> done)
    {
        Rest::RestRequest request;
        request.url = url;
        request.deadline = ReadDeadline;
        m_rest->send(std::move(request), context, [url, done = std::move(done)](Result<QByteArray> body) {
            if (!body)
                return done(body.error());
            const QJsonDocument document = QJsonDocument::fromJson(*body);
            if (!document.isObject())
                return done(badReply(url, u"something that is not a JSON object"_s));
            done(document.object());
        });
    }

    void OperatorClient::getPage(const QUrl &url, QObject *context, Callback<RemotePage> done)
    {
        Rest::RestRequest request;
        request.url = url;
        request.deadline = ReadDeadline;
        m_rest->sendForReply(std::move(request), context, [url, done = std::move(done)](Result<Rest::RestReply> reply) {
            if (!reply)
                return done(reply.error());
            const QJsonDocument document = QJsonDocument::fromJson(reply->body);
            if (!document.isArray())
                return done(badReply(url, u"something that is not a JSON array"_s));
            RemotePage page;
            const QJsonArray rows = document.array();
            page.rows.reserve(rows.size());
            for (const QJsonValue &row : rows) {
                if (!row.isObject())
                    return done(badReply(url, u"an array with something other than objects in it"_s));
                page.rows.append(row.toObject());
            }
            page.nextPageToken = QString::fromLatin1(reply->header("X-Next-Page-Token"));
            done(std::move(page));
        });
    }

    void OperatorClient::stats(QObject *context, Callback<QJsonObject> done)
    {
        getObject(urlFor(u"/stats"_s), context, std::move(done));
    }

    void OperatorClient::series(int windowSeconds, QObject *context, Callback<QJsonObject> done)
    {
        getObject(urlFor(u"/stats/series"_s, {{u"window"_s, QString::number(windowSeconds)}}), context, std::move(done));
    }

    void OperatorClient::events(const EventsFilter &filter, int limit, const QString &pageToken, QObject *context, Callback<RemotePage> done)
    {
        const QUrl url = urlFor(u"/events"_s, {{u"limit"_s, QString::number(limit)},
                                               {u"event_type"_s, filter.eventType},
                                               {u"user_id"_s, filter.userId},
                                               {u"since"_s, filter.since.isValid() ? rfc3339(filter.since) : QString()},
                                               {u"until"_s, filter.until.isValid() ? rfc3339(filter.until) : QString()},
                                               {u"page_token"_s, pageToken}});
        getPage(url, context, std::move(done));
    }

    void OperatorClient::deadLetters(int limit, const QString &pageToken, QObject *context, Callback<RemotePage> done)
    {
        getPage(urlFor(u"/dead-letters"_s, {{u"limit"_s, QString::number(limit)}, {u"page_token"_s, pageToken}}), context, std::move(done));
    }

    PubSub::Publisher::BatchSender OperatorClient::publishSender(bool validate)
    {
        return senderTo(urlFor(u"/publish"_s, {{u"validate"_s, validate ? u"true"_s : u"false"_s}}));
    }

    PubSub::Publisher::BatchSender OperatorClient::redriveSender()
    {
        return senderTo(urlFor(u"/dead-letters/redrive"_s));
    }

    PubSub::Publisher::BatchSender OperatorClient::senderTo(const QUrl &url)
    {
        return [this, url](const QList<PubSub::PubsubMessage> &messages, QObject *context, std::function<void(Result<QStringList>)> done) {
            Rest::RestRequest request;
            request.method = QByteArrayLiteral("POST");
            request.url = url;
            request.body = PubSub::publishBody(messages);
            request.deadline = PublishDeadline;
            const qsizetype expected = messages.size();
            m_rest->send(std::move(request), context, [url, expected, done = std::move(done)](Result<QByteArray> body) {
                if (!body)
                    return done(body.error());
                const QJsonArray ids = QJsonDocument::fromJson(*body).object().value(u"messageIds"_s).toArray();
                if (ids.size() != expected)
                    return done(badReply(url, u"%1 message IDs for %2 messages"_s.arg(ids.size()).arg(expected)));
                QStringList list;
                list.reserve(ids.size());
                for (const QJsonValue &id : ids)
                    list.append(id.toString());
                done(std::move(list));
            });
        };
    }
}
