#include "core/pubsub/pubsubclient.h"

#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrlQuery>

#include "core/common/textencoding.h"
#include "core/common/timeutil.h"
#include "core/pubsub/replyreader.h"
#include "core/rest/replyerror.h"
#include "core/rest/restclient.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Rest::Idempotency;
using Aq::Rest::RestRequest;

namespace Aq::PubSub
{
    namespace
    {
        QByteArray compact(const QJsonObject &json)
        {
            return QJsonDocument(json).toJson(QJsonDocument::Compact);
        }

        Result<QJsonObject> replyObject(const Result<QByteArray> &body, const QUrl &url)
        {
            if (!body)
                return body.error();
            if (body->isEmpty())   // "For JSON, the response can be entirely empty" (an empty pull)
                return QJsonObject {};
            QJsonParseError parseError;
            const QJsonDocument document = QJsonDocument::fromJson(*body, &parseError);
            if (!document.isObject())
                return ApiError::internal(u"%1 answered with something that is not a JSON object (%2)"_s.arg(Rest::describeEndpoint(url), parseError.errorString()));
            return document.object();
        }

        // Joins many replies into one: `done` gets Ok once all parts succeeded, or the first error.
        class PartsLatch
        {
        public:
            PartsLatch(int parts, PubSubClient::Callback<Ok> done) : m_remaining {parts}, m_done {std::move(done)} {}

            void partDone(const Result<QJsonObject> &result)
            {
                if (!result && !m_error)
                    m_error = result.error();
                if (--m_remaining == 0)
                    m_error ? m_done(*m_error) : m_done(Ok {});
            }

        private:
            int m_remaining;
            PubSubClient::Callback<Ok> m_done;
            std::optional<ApiError> m_error;
        };
    }

    PubSubClient::PubSubClient(Rest::RestClient *rest, const QUrl &endpoint, const QString &project, QObject *parent)
        : QObject(parent)
        , m_rest {rest}
        , m_endpoint {endpoint}
        , m_project {project}
    {
    }

    QString PubSubClient::topicPath(const QString &topic) const
    {
        return topic.startsWith(u"projects/"_s) ? topic : u"projects/%1/topics/%2"_s.arg(m_project, topic);
    }

    QString PubSubClient::subscriptionPath(const QString &subscription) const
    {
        return subscription.startsWith(u"projects/"_s) ? subscription : u"projects/%1/subscriptions/%2"_s.arg(m_project, subscription);
    }

    QUrl PubSubClient::urlFor(const QString &path, const QString &query) const
    {
        QUrl url = m_endpoint;
        url.setPath(u"/v1/"_s + path);
        if (!query.isEmpty())
            url.setQuery(query);
        return url;
    }

    QPointer<Rest::RestCall> PubSubClient::callJson(RestRequest request, QObject *context, Callback<QJsonObject> done)
    {
        const QUrl url = request.url;
        return m_rest->send(std::move(request), context, [done = std::move(done), url](Result<QByteArray> body) {
            done(replyObject(body, url));
        });
    }

    void PubSubClient::createTopic(const QString &topic, QObject *context, Callback<QString> done)
    {
        RestRequest request {"PUT", urlFor(topicPath(topic)), "{}", Idempotency::Unsafe, Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) {
            reply ? done(reply->value(u"name"_s).toString()) : done(reply.error());
        });
    }

    void PubSubClient::getTopic(const QString &topic, QObject *context, Callback<QString> done)
    {
        RestRequest request {"GET", urlFor(topicPath(topic)), {}, Idempotency::Safe, Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) {
            reply ? done(reply->value(u"name"_s).toString()) : done(reply.error());
        });
    }

    void PubSubClient::deleteTopic(const QString &topic, QObject *context, Callback<Ok> done)
    {
        RestRequest request {"DELETE", urlFor(topicPath(topic)), {}, Idempotency::Unsafe, Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) { reply ? done(Ok {}) : done(reply.error()); });
    }

    template <typename Item>
    void PubSubClient::listAll(const QString &collection, const QString &key, std::function<Result<Item>(const QJsonValue &)> parse,
                               QObject *context, Callback<QList<Item>> done)
    {
        auto items = std::make_shared<QList<Item>>();
        auto fetchPage = std::make_shared<std::function<void(const QString &)>>();
        // The page callback refers to fetchPage weakly, so the chain frees itself when it ends.
        std::weak_ptr<std::function<void(const QString &)>> weakFetch = fetchPage;
        *fetchPage = [this, collection, key, parse, context, done, items, weakFetch](const QString &pageToken) {
            QUrlQuery query;
            query.addQueryItem(u"pageSize"_s, u"1000"_s);
            if (!pageToken.isEmpty())
                query.addQueryItem(u"pageToken"_s, pageToken);
            RestRequest request {"GET", urlFor(u"projects/%1/%2"_s.arg(m_project, collection), query.toString(QUrl::FullyEncoded)),
                                 {}, Idempotency::Safe, Rest::Channel::Default, m_adminDeadline};
            auto keepAlive = weakFetch.lock();
            callJson(request, context, [parse, key, done, items, keepAlive](Result<QJsonObject> reply) {
                if (!reply) {
                    done(reply.error());
                    return;
                }
                for (const QJsonValue &value : reply->value(key).toArray()) {
                    Result<Item> item = parse(value);
                    if (!item) {
                        done(item.error());
                        return;
                    }
                    items->append(std::move(*item));
                }
                const QString next = reply->value(u"nextPageToken"_s).toString();
                if (next.isEmpty())
                    done(*items);
                else
                    (*keepAlive)(next);
            });
        };
        (*fetchPage)(QString());
    }

    void PubSubClient::listTopics(QObject *context, Callback<QStringList> done)
    {
        listAll<QString>(u"topics"_s, u"topics"_s, [](const QJsonValue &value) -> Result<QString> {
            return value.toObject().value(u"name"_s).toString();
        }, context, [done](Result<QList<QString>> names) { names ? done(QStringList(*names)) : done(names.error()); });
    }

    void PubSubClient::createSubscription(const QString &id, Subscription subscription, QObject *context, Callback<Subscription> done)
    {
        subscription.topic = topicPath(subscription.topic);
        if (subscription.hasDeadLetterPolicy())
            subscription.deadLetterTopic = topicPath(subscription.deadLetterTopic);
        RestRequest request {"PUT", urlFor(subscriptionPath(id)), compact(subscription.toJson()), Idempotency::Unsafe,
                             Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) {
            reply ? done(Subscription::fromJson(*reply)) : done(reply.error());
        });
    }

    void PubSubClient::getSubscription(const QString &id, QObject *context, Callback<Subscription> done)
    {
        RestRequest request {"GET", urlFor(subscriptionPath(id)), {}, Idempotency::Safe, Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) {
            reply ? done(Subscription::fromJson(*reply)) : done(reply.error());
        });
    }

    void PubSubClient::patchSubscription(const QString &id, const Subscription &subscription, const QStringList &updateMask,
                                         QObject *context, Callback<Subscription> done)
    {
        Subscription changed = subscription;
        changed.topic = topicPath(subscription.topic.isEmpty() ? id : subscription.topic);
        if (changed.hasDeadLetterPolicy())
            changed.deadLetterTopic = topicPath(changed.deadLetterTopic);
        QJsonObject body {{u"subscription"_s, changed.toJson()}, {u"updateMask"_s, updateMask.join(u',')}};
        RestRequest request {"PATCH", urlFor(subscriptionPath(id)), compact(body), Idempotency::Safe, Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) {
            reply ? done(Subscription::fromJson(*reply)) : done(reply.error());
        });
    }

    void PubSubClient::deleteSubscription(const QString &id, QObject *context, Callback<Ok> done)
    {
        RestRequest request {"DELETE", urlFor(subscriptionPath(id)), {}, Idempotency::Unsafe, Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) { reply ? done(Ok {}) : done(reply.error()); });
    }

    void PubSubClient::listSubscriptions(QObject *context, Callback<QList<Subscription>> done)
    {
        listAll<Subscription>(u"subscriptions"_s, u"subscriptions"_s,
                              [](const QJsonValue &value) { return Subscription::fromJson(value.toObject()); }, context, std::move(done));
    }

    void PubSubClient::publish(const QString &topic, const QList<PubsubMessage> &messages, QObject *context, Callback<QStringList> done)
    {
        if (messages.isEmpty() || messages.size() > MaxMessagesPerPublish) {
            done(ApiError::invalidArgument(u"a publish request carries 1 to %1 messages, not %2"_s.arg(MaxMessagesPerPublish).arg(messages.size())));
            return;
        }
        qsizetype bytes = 0;
        for (const PubsubMessage &message : messages) {
            if (message.orderingKey != messages.first().orderingKey) {
                done(ApiError::invalidArgument(u"the messages of one publish request must share one ordering key"_s));
                return;
            }
            if (message.data.isEmpty() && message.attributes.isEmpty()) {
                done(ApiError::invalidArgument(u"a message needs data or at least one attribute"_s));
                return;
            }
            bytes += message.approximateSize();
        }
        const QByteArray body = publishBody(messages);
        if (body.size() > MaxPublishRequestBytes) {
            done(ApiError::payloadTooLarge(u"a publish request is limited to %1 bytes; this one has %2"_s.arg(MaxPublishRequestBytes).arg(body.size())));
            return;
        }
        // Publishing again after an unknown outcome may duplicate a message, which at-least-once delivery
        // allows and Google's clients also do.
        RestRequest request {"POST", urlFor(topicPath(topic) + u":publish"_s), body, Idempotency::Safe, Rest::Channel::Default, m_publishDeadline};
        const qsizetype expected = messages.size();
        const QUrl url = request.url;
        m_rest->send(std::move(request), context, [done, expected, url](Result<QByteArray> body) {
            std::optional<QStringList> ids = body ? readMessageIds(*body) : std::nullopt;
            if (!ids) {
                const Result<QJsonObject> reply = replyObject(body, url);
                if (!reply) {
                    done(reply.error());
                    return;
                }
                ids.emplace();
                for (const QJsonValue &id : reply->value(u"messageIds"_s).toArray())
                    ids->append(id.toString());
            }
            if (ids->size() != expected) {
                done(ApiError::internal(u"publish answered %1 message ids for %2 messages"_s.arg(ids->size()).arg(expected)));
                return;
            }
            done(std::move(*ids));
        });
    }

    QPointer<Rest::RestCall> PubSubClient::pull(const QString &subscription, int maxMessages, bool returnImmediately, QObject *context,
                                                Callback<QList<ReceivedMessage>> done)
    {
        QJsonObject body {{u"maxMessages"_s, qBound(1, maxMessages, 1000)}};
        if (returnImmediately)
            body.insert(u"returnImmediately"_s, true);
        RestRequest request {"POST", urlFor(subscriptionPath(subscription) + u":pull"_s), compact(body), Idempotency::Safe,
                             returnImmediately ? Rest::Channel::Default : Rest::Channel::LongPoll,
                             returnImmediately ? m_adminDeadline : m_pullDeadline};
        const QUrl url = request.url;
        return m_rest->send(std::move(request), context, [done = std::move(done), url](Result<QByteArray> body) {
            if (body) {
                if (std::optional<QList<ReceivedMessage>> messages = readPullReply(*body)) {
                    done(std::move(*messages));
                    return;
                }
            }
            const Result<QJsonObject> reply = replyObject(body, url);
            if (!reply) {
                done(reply.error());
                return;
            }
            QList<ReceivedMessage> messages;
            const QJsonArray received = reply->value(u"receivedMessages"_s).toArray();
            messages.reserve(received.size());
            for (const QJsonValue &value : received) {
                Result<ReceivedMessage> message = ReceivedMessage::fromJson(value.toObject());
                if (!message) {
                    done(message.error());
                    return;
                }
                messages.append(std::move(*message));
            }
            done(messages);
        });
    }

    void PubSubClient::sendAckRequests(const QString &path, const QString &verb, const QStringList &ackIds, int seconds,
                                       QObject *context, Callback<Ok> done)
    {
        if (ackIds.isEmpty()) {
            done(Ok {});
            return;
        }
        // The bodies written directly, in QJsonDocument's key order: an acknowledgement carries up to 2,500 ids.
        const QByteArray head = seconds >= 0 ? "{\"ackDeadlineSeconds\":" + QByteArray::number(seconds) + ",\"ackIds\":[" : QByteArray("{\"ackIds\":[");
        QList<QByteArray> bodies {head};
        int idsInBody = 0;
        qsizetype partBytes = 0;
        for (const QString &ackId : ackIds) {
            const qsizetype idBytes = ackId.size() + 3;
            if (idsInBody >= MaxAckIdsPerRequest || partBytes + idBytes > MaxAckRequestBytes) {
                bodies.last() += "]}";
                bodies.append(head);
                idsInBody = 0;
                partBytes = 0;
            }
            if (idsInBody++ > 0)
                bodies.last() += ',';
            Text::appendJsonString(ackId, bodies.last());
            partBytes += idBytes;
        }
        bodies.last() += "]}";
        auto latch = std::make_shared<PartsLatch>(int(bodies.size()), std::move(done));
        for (const QByteArray &body : std::as_const(bodies)) {
            RestRequest request {"POST", urlFor(path + verb), body, Idempotency::Safe, Rest::Channel::Default, m_adminDeadline};
            callJson(request, context, [latch](Result<QJsonObject> reply) { latch->partDone(reply); });
        }
    }

    void PubSubClient::acknowledge(const QString &subscription, const QStringList &ackIds, QObject *context, Callback<Ok> done)
    {
        sendAckRequests(subscriptionPath(subscription), u":acknowledge"_s, ackIds, -1, context, std::move(done));
    }

    void PubSubClient::modifyAckDeadline(const QString &subscription, const QStringList &ackIds, int seconds, QObject *context, Callback<Ok> done)
    {
        if (seconds < 0 || seconds > MaxAckDeadlineSeconds) {
            done(ApiError::invalidArgument(u"an ack deadline is 0 to %1 seconds, not %2"_s.arg(MaxAckDeadlineSeconds).arg(seconds)));
            return;
        }
        sendAckRequests(subscriptionPath(subscription), u":modifyAckDeadline"_s, ackIds, seconds, context, std::move(done));
    }

    void PubSubClient::seek(const QString &subscription, qint64 timeMicros, QObject *context, Callback<Ok> done)
    {
        const QJsonObject body {{u"time"_s, Time::formatRfc3339(timeMicros)}};
        RestRequest request {"POST", urlFor(subscriptionPath(subscription) + u":seek"_s), compact(body), Idempotency::Safe,
                             Rest::Channel::Default, m_adminDeadline};
        callJson(request, context, [done](Result<QJsonObject> reply) { reply ? done(Ok {}) : done(reply.error()); });
    }
}
