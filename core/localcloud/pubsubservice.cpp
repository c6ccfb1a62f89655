#include "core/localcloud/pubsubservice.h"

#include <algorithm>
#include <bit>

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSet>

#include "core/common/timeutil.h"
#include "core/localcloud/ackids.h"
#include "core/localcloud/jsonfields.h"
#include "core/localcloud/jsonwriter.h"
#include "core/localcloud/publishbody.h"

using namespace Qt::Literals::StringLiterals;

Q_LOGGING_CATEGORY(lcPubSub, "aq.localcloud.pubsub")

namespace Aq::LocalCloud
{
    namespace
    {
        constexpr qint64 MICROS = 1000000;
        constexpr int MAX_MESSAGES_PER_PUBLISH = 1000;
        constexpr int MAX_MESSAGES_PER_PULL = 1000;
        constexpr qint64 MIN_RETENTION = 600 * MICROS;
        constexpr qint64 MAX_SUBSCRIPTION_RETENTION = 7LL * 86400 * MICROS;
        constexpr qint64 MAX_TOPIC_RETENTION = 31LL * 86400 * MICROS;
        const QString DELETED_TOPIC = u"_deleted-topic_"_s;

        QString key(const QString &project, const QString &name)
        {
            return project + u'/' + name;
        }

        ApiError resourceNotFound(const QString &id)
        {
            return ApiError::notFound(u"Resource not found (resource=%1)."_s.arg(id));
        }

        // One page of a list method, ordered by name; the page token is the last name of the previous page.
        QJsonObject pageByName(QList<std::pair<QString, QJsonValue>> items, const LocalRequest &request, const QString &listKey)
        {
            std::sort(items.begin(), items.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
            int pageSize = request.queryValue(u"pageSize"_s).toInt();
            if (pageSize <= 0 || pageSize > 1000)
                pageSize = 1000;
            const QString after = QString::fromUtf8(QByteArray::fromBase64(request.queryValue(u"pageToken"_s).toLatin1(), QByteArray::Base64UrlEncoding));
            QJsonArray page;
            QString lastName;
            QJsonObject out;
            for (const auto &[name, value] : items) {
                if (!after.isEmpty() && name <= after)
                    continue;
                if (page.size() == pageSize) {
                    out.insert(u"nextPageToken"_s, QString::fromLatin1(lastName.toUtf8().toBase64(QByteArray::Base64UrlEncoding)));
                    break;
                }
                page.append(value);
                lastName = name;
            }
            if (!page.isEmpty())
                out.insert(listKey, page);
            return out;
        }

    }

    PubSubService::PubSubService(SqliteDatabase &db, Options options, QObject *parent)
        : QObject(parent)
        , m_db {db}
        , m_options {options}
        , m_waiterTimer {this}
    {
        m_waiterTimer.setInterval(100);
        connect(&m_waiterTimer, &QTimer::timeout, this, &PubSubService::handleWaiterTick);
    }

    QString PubSubService::topicPath(const QString &project, const QString &topic)
    {
        return u"projects/%1/topics/%2"_s.arg(project, topic);
    }

    QString PubSubService::subscriptionPath(const QString &project, const QString &subscription)
    {
        return u"projects/%1/subscriptions/%2"_s.arg(project, subscription);
    }

    Status PubSubService::load()
    {
        m_topics.clear();
        m_subscriptions.clear();
        m_topicIds.clear();
        m_subscriptionIds.clear();
        m_freshCounts.clear();
        Result<SqliteStatement *> topics = m_db.prepare("SELECT id, project, name, resource FROM ps_topics");
        if (!topics)
            return topics.error();
        while ((*topics)->step()) {
            Topic topic;
            topic.id = (*topics)->int64(0);
            topic.project = (*topics)->text(1);
            topic.name = (*topics)->text(2);
            topic.resource = QJsonDocument::fromJson((*topics)->textUtf8(3)).object();
            topic.retentionMicros = Time::parseDuration(topic.resource.value(u"messageRetentionDuration"_s).toString()).value_or(0);
            m_topicIds.insert(key(topic.project, topic.name), topic.id);
            m_topics.insert(topic.id, topic);
        }
        Result<SqliteStatement *> subs = m_db.prepare("SELECT id, project, name, topic_id, resource, delivered_through FROM ps_subscriptions");
        if (!subs)
            return subs.error();
        while ((*subs)->step()) {
            const QString project = (*subs)->text(1);
            const QString name = (*subs)->text(2);
            const qint64 topicId = (*subs)->int64(3);
            QJsonObject resource = QJsonDocument::fromJson((*subs)->textUtf8(4)).object();
            if (topicId == 0)
                resource.insert(u"topic"_s, DELETED_TOPIC);
            Result<Subscription> sub = subscriptionFromResource(project, name, resource, false);
            if (!sub) {
                qCWarning(lcPubSub) << "skipping unreadable subscription" << name << sub.error().message;
                continue;
            }
            sub->id = (*subs)->int64(0);
            sub->topicId = topicId;
            sub->deliveredThrough = (*subs)->int64(5);
            m_subscriptionIds.insert(key(project, name), sub->id);
            if (m_topics.contains(topicId))
                m_topics[topicId].subscriptionIds.append(sub->id);
            m_subscriptions.insert(sub->id, sub.value());
        }
        return Ok {};
    }

    Status PubSubService::validateName(const QString &project, const QString &id, const char *collection)
    {
        static const QRegularExpression pattern(u"^[A-Za-z][A-Za-z0-9\\-_.~+%]{2,254}$"_s);
        if (project.isEmpty() || project.contains(u'/'))
            return ApiError::invalidArgument(u"Invalid project: \"%1\"."_s.arg(project));
        if (!pattern.match(id).hasMatch() || id.startsWith(u"goog"_s, Qt::CaseInsensitive))
            return ApiError::invalidArgument(
                u"Invalid [%1] name: (name=projects/%2/%1/%3). A name must be 3 to 255 characters, start with a letter, use only letters, digits and - _ . ~ + %, and not start with goog."_s
                    .arg(QLatin1StringView(collection), project, id));
        return Ok {};
    }

    PubSubService::Topic *PubSubService::findTopic(const QString &project, const QString &name)
    {
        const auto it = m_topicIds.constFind(key(project, name));
        return it == m_topicIds.cend() ? nullptr : &m_topics[*it];
    }

    const PubSubService::Topic *PubSubService::findTopic(const QString &project, const QString &name) const
    {
        const auto it = m_topicIds.constFind(key(project, name));
        return it == m_topicIds.cend() ? nullptr : &m_topics.find(*it).value();
    }

    PubSubService::Topic *PubSubService::findTopicByPath(const QString &path)
    {
        static const QRegularExpression pattern(u"^projects/([^/]+)/topics/([^/]+)$"_s);
        const QRegularExpressionMatch m = pattern.match(path);
        return m.hasMatch() ? findTopic(m.captured(1), m.captured(2)) : nullptr;
    }

    PubSubService::Subscription *PubSubService::findSubscription(const QString &project, const QString &name)
    {
        const auto it = m_subscriptionIds.constFind(key(project, name));
        return it == m_subscriptionIds.cend() ? nullptr : &m_subscriptions[*it];
    }

    const PubSubService::Subscription *PubSubService::findSubscription(const QString &project, const QString &name) const
    {
        const auto it = m_subscriptionIds.constFind(key(project, name));
        return it == m_subscriptionIds.cend() ? nullptr : &m_subscriptions.find(*it).value();
    }

    // ---- topics ---------------------------------------------------------------------------------

    Result<QJsonObject> PubSubService::createTopic(const QString &project, const QString &topic, const QJsonObject &body)
    {
        if (Status s = validateName(project, topic, "topics"); !s)
            return s.error();
        if (findTopic(project, topic))
            return ApiError::alreadyExists(u"Resource already exists in the project (resource=%1)."_s.arg(topic));
        QJsonObject resource {{u"name"_s, topicPath(project, topic)}};
        const QJsonObject labels = JsonFields::value(body, "labels").toObject();
        if (!labels.isEmpty())
            resource.insert(u"labels"_s, labels);
        Result<qint64> retention = JsonFields::duration(body, "messageRetentionDuration", "message_retention_duration", 0, MIN_RETENTION, MAX_TOPIC_RETENTION);
        if (!retention)
            return retention.error();
        if (*retention > 0)
            resource.insert(u"messageRetentionDuration"_s, Time::formatDuration(*retention));
        for (const char *passThrough : {"messageStoragePolicy", "kmsKeyName", "schemaSettings", "satisfiesPzs"}) {
            const QJsonValue v = JsonFields::value(body, passThrough);
            if (!v.isUndefined() && !v.isNull())
                resource.insert(QLatin1StringView(passThrough), v);
        }
        resource.insert(u"state"_s, u"ACTIVE"_s);
        if (Status s = m_db.execute("INSERT INTO ps_topics(project, name, resource) VALUES(?1, ?2, ?3)",
                                    {project, topic, JsonFields::compactText(resource)}, u"create topic"_s); !s)
            return s.error();
        Topic t;
        t.id = m_db.lastInsertRowId();
        t.project = project;
        t.name = topic;
        t.resource = resource;
        t.retentionMicros = *retention;
        m_topicIds.insert(key(project, topic), t.id);
        m_topics.insert(t.id, t);
        return resource;
    }

    Result<QJsonObject> PubSubService::getTopic(const QString &project, const QString &topic) const
    {
        const Topic *t = findTopic(project, topic);
        if (!t)
            return resourceNotFound(topic);
        return t->resource;
    }

    Result<QJsonObject> PubSubService::patchTopic(const QString &project, const QString &topic, const QJsonObject &body)
    {
        Topic *t = findTopic(project, topic);
        if (!t)
            return resourceNotFound(topic);
        const QJsonObject update = JsonFields::value(body, "topic").toObject();
        const QString mask = JsonFields::value(body, "updateMask", "update_mask").toString();
        if (mask.isEmpty())
            return ApiError::invalidArgument(u"updateMask is required: name the fields to change, e.g. \"labels\"."_s);
        QJsonObject resource = t->resource;
        for (const QString &rawPath : mask.split(u',', Qt::SkipEmptyParts)) {
            const QString path = rawPath.trimmed();
            if (path == u"labels"_s) {
                const QJsonObject labels = update.value(u"labels"_s).toObject();
                if (labels.isEmpty())
                    resource.remove(u"labels"_s);
                else
                    resource.insert(u"labels"_s, labels);
            } else if (path == u"messageRetentionDuration"_s || path == u"message_retention_duration"_s) {
                Result<qint64> retention = JsonFields::duration(update, "messageRetentionDuration", "message_retention_duration", 0, MIN_RETENTION, MAX_TOPIC_RETENTION);
                if (!retention)
                    return retention.error();
                t->retentionMicros = *retention;
                if (*retention > 0)
                    resource.insert(u"messageRetentionDuration"_s, Time::formatDuration(*retention));
                else
                    resource.remove(u"messageRetentionDuration"_s);
            } else {
                return ApiError::invalidArgument(u"Invalid update_mask provided in the UpdateTopicRequest: the local cloud cannot update \"%1\"."_s.arg(path));
            }
        }
        if (Status s = m_db.execute("UPDATE ps_topics SET resource=?1 WHERE id=?2",
                                    {JsonFields::compactText(resource), t->id}, u"patch topic"_s); !s)
            return s.error();
        t->resource = resource;
        return resource;
    }

    Result<QJsonObject> PubSubService::deleteTopic(const QString &project, const QString &topic)
    {
        Topic *t = findTopic(project, topic);
        if (!t)
            return resourceNotFound(topic);
        SqliteTransaction transaction(m_db);
        // Subscriptions outlive their topic (they report "_deleted-topic_") and keep their backlog: what they never
        // received gets its delivery row now, as their cursor cannot find the topic's messages any more.
        QHash<qint64, qint64> cursors;
        for (qint64 subId : t->subscriptionIds) {
            Result<qint64> cursor = materializeFreshMessages(m_subscriptions[subId]);
            if (!cursor)
                return cursor.error();
            cursors.insert(subId, *cursor);
        }
        Status s = m_db.exec("UPDATE ps_subscriptions SET topic_id=0 WHERE topic_id=" + QByteArray::number(t->id) + ";"
                             "DELETE FROM ps_topics WHERE id=" + QByteArray::number(t->id) + ";");
        if (!s)
            return s.error();
        if (Status c = transaction.commit(); !c)
            return c.error();
        for (qint64 subId : t->subscriptionIds) {
            Subscription &sub = m_subscriptions[subId];
            sub.topicId = 0;
            sub.deliveredThrough = cursors.value(subId);
            m_freshCounts.remove(subId);
            sub.resource.insert(u"topic"_s, DELETED_TOPIC);
        }
        m_topicIds.remove(key(project, topic));
        m_topics.remove(t->id);
        return QJsonObject();
    }

    Result<QJsonObject> PubSubService::listTopics(const QString &project, const LocalRequest &request) const
    {
        QList<std::pair<QString, QJsonValue>> items;
        for (const Topic &t : m_topics) {
            if (t.project == project)
                items.append({t.name, t.resource});
        }
        return pageByName(std::move(items), request, u"topics"_s);
    }

    Result<QJsonObject> PubSubService::listTopicSubscriptions(const QString &project, const QString &topic, const LocalRequest &request) const
    {
        const Topic *t = findTopic(project, topic);
        if (!t)
            return resourceNotFound(topic);
        QList<std::pair<QString, QJsonValue>> items;
        for (qint64 subId : t->subscriptionIds) {
            const Subscription &sub = m_subscriptions.find(subId).value();
            items.append({sub.name, subscriptionPath(sub.project, sub.name)});
        }
        return pageByName(std::move(items), request, u"subscriptions"_s);
    }

    // ---- publish --------------------------------------------------------------------------------

    Result<QByteArray> PubSubService::publish(const QString &project, const QString &topic, const QByteArray &body)
    {
        Topic *t = findTopic(project, topic);
        if (!t)
            return resourceNotFound(topic);
        Result<QList<PublishedMessage>> decoded = parsePublishBody(body, MAX_MESSAGES_PER_PUBLISH, m_options.maxPublishBytes);
        if (!decoded)
            return decoded.error();

        SqliteTransaction transaction(m_db);
        if (!transaction.isActive())
            return m_db.error(u"publish"_s);
        Result<QList<qint64>> ids = insertMessages(*t, *decoded);
        if (!ids)
            return ids.error();
        if (Status s = transaction.commit(); !s)
            return s.error();
        for (qint64 subId : t->subscriptionIds) {
            if (auto it = m_freshCounts.find(subId); it != m_freshCounts.end())
                *it += ids->size();
        }

        JsonWriter writer(ids->size() * 24 + 32);
        writer.raw("{\"messageIds\":[");
        for (qsizetype i = 0; i < ids->size(); ++i) {
            if (i)
                writer.raw(",");
            writer.raw("\"");
            writer.number((*ids)[i]);
            writer.raw("\"");
        }
        writer.raw("]}");
        serveWaiters(t->subscriptionIds);
        return writer.take();
    }

    Result<QList<qint64>> PubSubService::insertMessages(Topic &topic, const QList<PublishedMessage> &messages)
    {
        // Many rows to a statement: SQLite's per-statement work (and AUTOINCREMENT's sqlite_sequence update) is
        // paid once per piece. Full pieces, then the rest in powers of two: a handful of statement shapes.
        constexpr qsizetype MessagesPerInsert = 64;
        constexpr int Columns = 5;
        QList<qint64> ids;
        ids.reserve(messages.size());
        const qint64 now = Time::nowMicros();
        for (qsizetype first = 0; first < messages.size();) {
            const qsizetype remaining = messages.size() - first;
            const qsizetype n = remaining >= MessagesPerInsert ? MessagesPerInsert : qsizetype(std::bit_floor(quint64(remaining)));
            QByteArray &sql = m_insertMessagesSql[n];
            if (sql.isEmpty())
                sql = "INSERT INTO ps_messages(topic_id, publish_time, ordering_key, attributes, data) VALUES(?,?,?,?,?)"
                    + QByteArray(",(?,?,?,?,?)").repeated(n - 1);
            Result<SqliteStatement *> insert = m_db.prepare(sql);
            if (!insert)
                return insert.error();
            SqliteStatement *st = *insert;
            for (qsizetype r = 0; r < n; ++r) {
                const PublishedMessage &m = messages[first + r];
                const int base = int(r) * Columns;
                st->bind(base + 1, topic.id);
                st->bind(base + 2, now);
                m.orderingKey.isEmpty() ? st->bindNull(base + 3) : st->bind(base + 3, m.orderingKey);
                m.attributes.isEmpty() ? st->bindNull(base + 4) : st->bind(base + 4, m.attributes);
                st->bindStaticBlob(base + 5, m.data.constData(), m.data.size());
            }
            st->step();
            const bool failed = st->hasError();
            st->reset();   // it read the messages' bytes in place: let go of them
            if (failed)
                return m_db.error(u"publish"_s);
            // One writer and AUTOINCREMENT: the rows of one statement get consecutive ids.
            const qint64 last = m_db.lastInsertRowId();
            for (qint64 id = last - n + 1; id <= last; ++id)
                ids.append(id);
            first += n;
        }
        // No delivery rows: each subscription's cursor finds these messages when it is pulled.
        return ids;
    }

    // ---- subscriptions --------------------------------------------------------------------------

    Result<PubSubService::Subscription> PubSubService::subscriptionFromResource(const QString &project, const QString &name,
                                                                                 const QJsonObject &body, bool creating) const
    {
        Subscription sub;
        sub.project = project;
        sub.name = name;
        const QString topic = body.value(u"topic"_s).toString();
        if (creating) {
            if (topic.isEmpty())
                return ApiError::invalidArgument(u"The subscription has no topic: set \"topic\": \"projects/%1/topics/TOPIC\"."_s.arg(project));
        }
        Result<qint64> ackDeadline = JsonFields::integer(body, "ackDeadlineSeconds", "ack_deadline_seconds", 10, 0, 600);
        if (!ackDeadline)
            return ApiError::invalidArgument(u"Invalid ack deadline given: %1. It must be between 10 and 600 seconds."_s.arg(JsonFields::value(body, "ackDeadlineSeconds", "ack_deadline_seconds").toVariant().toString()));
        if (*ackDeadline != 0 && *ackDeadline < 10)
            return ApiError::invalidArgument(u"Invalid ack deadline given: %1. It must be between 10 and 600 seconds."_s.arg(*ackDeadline));
        sub.ackDeadlineSeconds = *ackDeadline == 0 ? 10 : int(*ackDeadline);
        Result<qint64> retention = JsonFields::duration(body, "messageRetentionDuration", "message_retention_duration", MAX_SUBSCRIPTION_RETENTION, MIN_RETENTION, MAX_SUBSCRIPTION_RETENTION);
        if (!retention)
            return retention.error();
        sub.retentionMicros = *retention;
        Result<bool> retainAcked = JsonFields::boolean(body, "retainAckedMessages", "retain_acked_messages", false);
        if (!retainAcked)
            return retainAcked.error();
        sub.retainAcked = *retainAcked;
        Result<bool> ordering = JsonFields::boolean(body, "enableMessageOrdering", "enable_message_ordering", false);
        if (!ordering)
            return ordering.error();
        sub.ordering = *ordering;
        Result<bool> detached = JsonFields::boolean(body, "detached", nullptr, false);
        if (!detached)
            return detached.error();
        sub.detached = *detached;
        const QJsonObject deadLetter = JsonFields::value(body, "deadLetterPolicy", "dead_letter_policy").toObject();
        if (!deadLetter.isEmpty()) {
            sub.deadLetterTopic = JsonFields::value(deadLetter, "deadLetterTopic", "dead_letter_topic").toString();
            static const QRegularExpression topicPattern(u"^projects/[^/]+/topics/[^/]+$"_s);
            if (!topicPattern.match(sub.deadLetterTopic).hasMatch())
                return ApiError::invalidArgument(u"Invalid deadLetterPolicy.deadLetterTopic \"%1\": expected projects/PROJECT/topics/TOPIC."_s.arg(sub.deadLetterTopic));
            Result<qint64> attempts = JsonFields::integer(deadLetter, "maxDeliveryAttempts", "max_delivery_attempts", 5, 0, 100);
            if (!attempts || (*attempts != 0 && *attempts < 5))
                return ApiError::invalidArgument(u"Invalid deadLetterPolicy.maxDeliveryAttempts: it must be between 5 and 100."_s);
            sub.maxDeliveryAttempts = *attempts == 0 ? 5 : int(*attempts);
        }
        const QJsonObject retry = JsonFields::value(body, "retryPolicy", "retry_policy").toObject();
        if (JsonFields::has(body, "retryPolicy", "retry_policy")) {
            sub.hasRetryPolicy = true;
            Result<qint64> minimum = JsonFields::duration(retry, "minimumBackoff", "minimum_backoff", 10 * MICROS, 0, 600 * MICROS);
            if (!minimum)
                return minimum.error();
            Result<qint64> maximum = JsonFields::duration(retry, "maximumBackoff", "maximum_backoff", 600 * MICROS, 0, 600 * MICROS);
            if (!maximum)
                return maximum.error();
            if (*minimum > *maximum)
                return ApiError::invalidArgument(u"Invalid retryPolicy: minimumBackoff is greater than maximumBackoff."_s);
            sub.minimumBackoffMicros = *minimum;
            sub.maximumBackoffMicros = *maximum;
        }
        const QJsonObject push = JsonFields::value(body, "pushConfig", "push_config").toObject();
        if (!push.value(u"pushEndpoint"_s).toString().isEmpty())
            return ApiError::invalidArgument(u"Push subscriptions are not supported by the local cloud: leave pushConfig empty and pull."_s);
        for (const char *unsupported : {"bigqueryConfig", "cloudStorageConfig"}) {
            if (!JsonFields::value(body, unsupported).toObject().isEmpty())
                return ApiError::invalidArgument(u"%1 subscriptions are not supported by the local cloud."_s.arg(QLatin1StringView(unsupported)));
        }
        if (!body.value(u"filter"_s).toString().isEmpty())
            return ApiError::invalidArgument(u"Subscription filters are not supported by the local cloud."_s);
        sub.resource = body;
        return sub;
    }

    QJsonObject PubSubService::subscriptionResource(const Subscription &sub) const
    {
        QJsonObject resource {
            {u"name"_s, subscriptionPath(sub.project, sub.name)},
            {u"topic"_s, sub.topicId == 0 ? DELETED_TOPIC : topicPath(m_topics.value(sub.topicId).project, m_topics.value(sub.topicId).name)},
            {u"pushConfig"_s, QJsonObject()},
            {u"ackDeadlineSeconds"_s, sub.ackDeadlineSeconds},
            {u"messageRetentionDuration"_s, Time::formatDuration(sub.retentionMicros)},
            {u"expirationPolicy"_s, sub.resource.contains(u"expirationPolicy"_s) ? sub.resource.value(u"expirationPolicy"_s) : QJsonObject {{u"ttl"_s, u"2678400s"_s}}},
            {u"state"_s, u"ACTIVE"_s},
        };
        const QJsonObject labels = sub.resource.value(u"labels"_s).toObject();
        if (!labels.isEmpty())
            resource.insert(u"labels"_s, labels);
        if (sub.retainAcked)
            resource.insert(u"retainAckedMessages"_s, true);
        if (sub.ordering)
            resource.insert(u"enableMessageOrdering"_s, true);
        if (sub.detached)
            resource.insert(u"detached"_s, true);
        if (sub.resource.value(u"enableExactlyOnceDelivery"_s).toBool())
            resource.insert(u"enableExactlyOnceDelivery"_s, true);
        if (sub.maxDeliveryAttempts > 0)
            resource.insert(u"deadLetterPolicy"_s, QJsonObject {{u"deadLetterTopic"_s, sub.deadLetterTopic}, {u"maxDeliveryAttempts"_s, sub.maxDeliveryAttempts}});
        if (sub.hasRetryPolicy)
            resource.insert(u"retryPolicy"_s, QJsonObject {{u"minimumBackoff"_s, Time::formatDuration(sub.minimumBackoffMicros)},
                                                            {u"maximumBackoff"_s, Time::formatDuration(sub.maximumBackoffMicros)}});
        return resource;
    }

    Status PubSubService::saveSubscription(const Subscription &sub)
    {
        QJsonObject stored = subscriptionResource(sub);
        stored.remove(u"topic"_s);
        Result<SqliteStatement *> st = m_db.prepare(
            "INSERT INTO ps_subscriptions(id, project, name, topic_id, resource, delivered_through) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
            "ON CONFLICT(id) DO UPDATE SET topic_id=excluded.topic_id, resource=excluded.resource");
        if (!st)
            return st.error();
        sub.id ? (*st)->bind(1, sub.id) : (*st)->bindNull(1);
        (*st)->bind(2, sub.project);
        (*st)->bind(3, sub.name);
        (*st)->bind(4, sub.topicId);
        (*st)->bind(5, QJsonDocument(stored).toJson(QJsonDocument::Compact));
        (*st)->bind(6, sub.deliveredThrough);
        (*st)->step();
        if ((*st)->hasError())
            return m_db.error(u"save subscription"_s);
        return Ok {};
    }

    Result<QJsonObject> PubSubService::createSubscription(const QString &project, const QString &subscription, const QJsonObject &body)
    {
        if (Status s = validateName(project, subscription, "subscriptions"); !s)
            return s.error();
        if (findSubscription(project, subscription))
            return ApiError::alreadyExists(u"Resource already exists in the project (resource=%1)."_s.arg(subscription));
        Result<Subscription> sub = subscriptionFromResource(project, subscription, body, true);
        if (!sub)
            return sub.error();
        Topic *topic = findTopicByPath(body.value(u"topic"_s).toString());
        if (!topic)
            return resourceNotFound(body.value(u"topic"_s).toString().section(u'/', -1));
        if (sub->maxDeliveryAttempts > 0 && !findTopicByPath(sub->deadLetterTopic))
            return resourceNotFound(sub->deadLetterTopic.section(u'/', -1));
        sub->topicId = topic->id;
        // A subscription receives what is published after it exists.
        Result<qint64> last = lastMessageId();
        if (!last)
            return last.error();
        sub->deliveredThrough = *last;
        if (Status s = saveSubscription(*sub); !s)
            return s.error();
        sub->id = m_db.lastInsertRowId();
        topic->subscriptionIds.append(sub->id);
        m_subscriptionIds.insert(key(project, subscription), sub->id);
        m_subscriptions.insert(sub->id, sub.value());
        return subscriptionResource(*sub);
    }

    Result<QJsonObject> PubSubService::getSubscription(const QString &project, const QString &subscription) const
    {
        const Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        return subscriptionResource(*sub);
    }

    Result<QJsonObject> PubSubService::patchSubscription(const QString &project, const QString &subscription, const QJsonObject &body)
    {
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        const QJsonObject update = JsonFields::value(body, "subscription").toObject();
        const QString mask = JsonFields::value(body, "updateMask", "update_mask").toString();
        if (mask.isEmpty())
            return ApiError::invalidArgument(u"updateMask is required: name the fields to change, e.g. \"ackDeadlineSeconds\"."_s);
        static const QHash<QString, QString> allowed {
            {u"ack_deadline_seconds"_s, u"ackDeadlineSeconds"_s}, {u"message_retention_duration"_s, u"messageRetentionDuration"_s},
            {u"dead_letter_policy"_s, u"deadLetterPolicy"_s},     {u"retry_policy"_s, u"retryPolicy"_s},
            {u"labels"_s, u"labels"_s},                           {u"retain_acked_messages"_s, u"retainAckedMessages"_s},
            {u"expiration_policy"_s, u"expirationPolicy"_s},      {u"enable_exactly_once_delivery"_s, u"enableExactlyOnceDelivery"_s},
            {u"push_config"_s, u"pushConfig"_s},                  {u"detached"_s, u"detached"_s},
        };
        QJsonObject merged = subscriptionResource(*sub);
        for (const QString &rawPath : mask.split(u',', Qt::SkipEmptyParts)) {
            QString path = rawPath.trimmed();
            QString camel = allowed.value(path);
            if (camel.isEmpty()) {
                for (auto it = allowed.cbegin(); it != allowed.cend(); ++it) {
                    if (it.value() == path)
                        camel = path;
                }
            }
            if (camel.isEmpty())
                return ApiError::invalidArgument(u"Invalid update_mask provided in the UpdateSubscriptionRequest: the local cloud cannot update \"%1\"."_s.arg(path));
            QJsonValue v = update.value(camel);
            if (v.isUndefined()) {
                const QString snake = allowed.key(camel);
                v = update.value(snake);
            }
            if (v.isUndefined() || v.isNull())
                merged.remove(camel);
            else
                merged.insert(camel, v);
        }
        Result<Subscription> updated = subscriptionFromResource(project, subscription, merged, false);
        if (!updated)
            return updated.error();
        if (updated->maxDeliveryAttempts > 0 && !findTopicByPath(updated->deadLetterTopic))
            return resourceNotFound(updated->deadLetterTopic.section(u'/', -1));
        updated->id = sub->id;
        updated->topicId = sub->topicId;
        updated->deliveredThrough = sub->deliveredThrough;
        if (Status s = saveSubscription(*updated); !s)
            return s.error();
        *sub = updated.value();
        return subscriptionResource(*sub);
    }

    Result<QJsonObject> PubSubService::deleteSubscription(const QString &project, const QString &subscription)
    {
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        const qint64 id = sub->id;
        SqliteTransaction transaction(m_db);
        Status s = m_db.exec("DELETE FROM ps_deliveries WHERE sub_id=" + QByteArray::number(id) + ";"
                             "DELETE FROM ps_subscriptions WHERE id=" + QByteArray::number(id) + ";");
        if (!s)
            return s.error();
        if (Status c = transaction.commit(); !c)
            return c.error();
        if (m_topics.contains(sub->topicId))
            m_topics[sub->topicId].subscriptionIds.removeAll(id);
        m_freshCounts.remove(id);
        for (PullWaiter &waiter : m_waiters) {
            if (waiter.subscriptionId == id) {
                waiter.respond(LocalResponse::error(resourceNotFound(subscription)));
                waiter.respond = nullptr;
            }
        }
        m_waiters.removeIf([](const PullWaiter &w) { return !w.respond; });
        m_subscriptionIds.remove(key(project, subscription));
        m_subscriptions.remove(id);
        return QJsonObject();
    }

    Result<QJsonObject> PubSubService::listSubscriptions(const QString &project, const LocalRequest &request) const
    {
        QList<std::pair<QString, QJsonValue>> items;
        for (const Subscription &sub : m_subscriptions) {
            if (sub.project == project)
                items.append({sub.name, subscriptionResource(sub)});
        }
        return pageByName(std::move(items), request, u"subscriptions"_s);
    }

    // ---- pull, ack, nack ------------------------------------------------------------------------

    void PubSubService::pull(const QString &project, const QString &subscription, const QJsonObject &body,
                             std::shared_ptr<std::atomic_bool> cancelled, LocalResponder respond)
    {
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return respond(LocalResponse::error(resourceNotFound(subscription)));
        if (sub->detached)
            return respond(LocalResponse::error(ApiError::failedPrecondition(u"Subscription %1 is detached; it can no longer be pulled."_s.arg(subscription))));
        Result<qint64> maxMessages = JsonFields::integer(body, "maxMessages", "max_messages", 0, 0, std::numeric_limits<int>::max());
        if (!maxMessages)
            return respond(LocalResponse::error(maxMessages.error()));
        if (*maxMessages <= 0)
            return respond(LocalResponse::error(ApiError::invalidArgument(u"maxMessages must be greater than 0."_s)));
        Result<bool> returnImmediately = JsonFields::boolean(body, "returnImmediately", "return_immediately", false);
        if (!returnImmediately)
            return respond(LocalResponse::error(returnImmediately.error()));
        const int limit = int(qMin<qint64>(*maxMessages, MAX_MESSAGES_PER_PULL));
        Result<QList<PulledMessage>> messages = leaseMessages(*sub, limit);
        if (!messages)
            return respond(LocalResponse::error(messages.error()));
        if (!messages->isEmpty() || *returnImmediately || m_options.maxPullWaitMs <= 0)
            return respond(LocalResponse::raw(pullReply(*sub, *messages)));
        PullWaiter waiter;
        waiter.subscriptionId = sub->id;
        waiter.maxMessages = limit;
        waiter.deadlineMicros = Time::nowMicros() + qint64(m_options.maxPullWaitMs) * 1000;
        waiter.cancelled = std::move(cancelled);
        waiter.respond = std::move(respond);
        m_waiters.append(std::move(waiter));
        if (!m_waiterTimer.isActive())
            m_waiterTimer.start();
    }

    void PubSubService::serveWaiters(const QList<qint64> &subscriptionIds)
    {
        if (m_waiters.isEmpty())
            return;
        for (PullWaiter &waiter : m_waiters) {
            if (!waiter.respond || (!subscriptionIds.isEmpty() && !subscriptionIds.contains(waiter.subscriptionId)))
                continue;
            if (waiter.cancelled && waiter.cancelled->load()) {
                waiter.respond = nullptr;
                continue;
            }
            auto it = m_subscriptions.find(waiter.subscriptionId);
            if (it == m_subscriptions.end()) {
                waiter.respond = nullptr;
                continue;
            }
            Result<QList<PulledMessage>> messages = leaseMessages(*it, waiter.maxMessages);
            if (!messages) {
                waiter.respond(LocalResponse::error(messages.error()));
                waiter.respond = nullptr;
            } else if (!messages->isEmpty() || Time::nowMicros() >= waiter.deadlineMicros) {
                waiter.respond(LocalResponse::raw(pullReply(*it, *messages)));
                waiter.respond = nullptr;
            }
        }
        m_waiters.removeIf([](const PullWaiter &w) { return !w.respond; });
        if (m_waiters.isEmpty())
            m_waiterTimer.stop();
    }

    void PubSubService::handleWaiterTick()
    {
        // Leases expire and nack backoffs end without any event: look again on a short tick.
        serveWaiters({});
    }

    Result<QList<PubSubService::PulledMessage>> PubSubService::leaseMessages(Subscription &sub, int maxMessages)
    {
        const qint64 now = Time::nowMicros();
        SqliteTransaction transaction(m_db);
        if (!transaction.isActive())
            return m_db.error(u"pull"_s);
        QList<PulledMessage> candidates;
        qint64 lastAvailableAt = 0;
        qint64 deliveredThrough = sub.deliveredThrough;
        if (sub.ordering) {
            // Ordering keys need every message's state at once: give the new ones their delivery rows first.
            Result<qint64> cursor = materializeFreshMessages(sub);
            if (!cursor)
                return cursor.error();
            deliveredThrough = *cursor;
            Result<QList<PulledMessage>> ordered = leaseOrderedMessages(sub, maxMessages, now);
            if (!ordered)
                return ordered.error();
            candidates = std::move(ordered).value();
        } else {
            // Redeliveries first (nacked, or their lease ran out), oldest first, then messages never delivered.
            Result<SqliteStatement *> select = m_db.prepare(
                "SELECT d.msg_id, d.attempts, m.publish_time, m.ordering_key, m.attributes, m.data, d.available_at "
                "FROM ps_deliveries d JOIN ps_messages m ON m.id = d.msg_id "
                "WHERE d.sub_id=?1 AND d.acked=0 AND d.available_at<=?2 ORDER BY d.available_at, d.msg_id LIMIT ?3");
            if (!select)
                return select.error();
            SqliteStatement *st = *select;
            st->bind(1, sub.id);
            st->bind(2, now);
            st->bind(3, qint64(maxMessages));
            while (st->step()) {
                PulledMessage m;
                m.messageId = st->int64(0);
                m.attempt = int(st->int64(1));
                m.publishTime = st->int64(2);
                m.orderingKey = st->text(3);
                m.attributes = st->textUtf8(4);
                m.data = st->blob(5);
                lastAvailableAt = st->int64(6);
                candidates.append(std::move(m));
            }
            if (st->hasError())
                return m_db.error(u"pull"_s);
            st->reset();
        }
        const qint64 leaseEnd = now + qint64(sub.ackDeadlineSeconds) * MICROS;
        const qsizetype redeliveries = candidates.size();
        if (!sub.ordering && !candidates.isEmpty()) {
            // The SELECT took the first rows of the index in (available_at, msg_id) order: one statement leases them
            // all. Those dead-lettered below are then deleted.
            Result<SqliteStatement *> leaseRun = m_db.prepare(
                "UPDATE ps_deliveries SET available_at=?1, attempts=attempts+1 WHERE sub_id=?2 AND acked=0 AND (available_at, msg_id)<=(?3, ?4)");
            if (!leaseRun)
                return leaseRun.error();
            SqliteStatement *st = *leaseRun;
            st->bind(1, leaseEnd);
            st->bind(2, sub.id);
            st->bind(3, lastAvailableAt);
            st->bind(4, candidates.last().messageId);
            st->step();
            if (st->hasError())
                return m_db.error(u"pull"_s);
        }
        if (!sub.ordering && candidates.size() < maxMessages && sub.topicId != 0) {
            Result<qint64> cursor = leaseFreshMessages(sub, maxMessages - int(candidates.size()), leaseEnd, candidates);
            if (!cursor)
                return cursor.error();
            deliveredThrough = *cursor;
        }
        Result<SqliteStatement *> lease = m_db.prepare("UPDATE ps_deliveries SET available_at=?1, attempts=attempts+1 WHERE sub_id=?2 AND msg_id=?3");
        if (!lease)
            return lease.error();
        QList<PulledMessage> delivered;
        delivered.reserve(candidates.size());
        for (qsizetype i = 0; i < candidates.size(); ++i) {
            PulledMessage &m = candidates[i];
            const bool fresh = !sub.ordering && i >= redeliveries;
            if (!fresh && sub.maxDeliveryAttempts > 0 && m.attempt >= sub.maxDeliveryAttempts && findTopicByPath(sub.deadLetterTopic)) {
                if (Status s = deadLetter(sub, m); !s)
                    return s.error();
                continue;
            }
            if (sub.ordering) {
                SqliteStatement *st = *lease;
                st->reset();
                st->bind(1, leaseEnd);
                st->bind(2, sub.id);
                st->bind(3, m.messageId);
                st->step();
                if (st->hasError())
                    return m_db.error(u"pull"_s);
            }
            m.attempt += 1;
            delivered.append(std::move(m));
        }
        if (deliveredThrough != sub.deliveredThrough) {
            if (Status s = saveCursor(sub.id, deliveredThrough); !s)
                return s.error();
        }
        if (Status s = transaction.commit(); !s)
            return s.error();
        sub.deliveredThrough = deliveredThrough;
        if (auto it = m_freshCounts.find(sub.id); it != m_freshCounts.end())
            *it = sub.ordering ? 0 : *it - (candidates.size() - redeliveries);   // ordered: all were given rows
        return delivered;
    }

    Result<qint64> PubSubService::leaseFreshMessages(const Subscription &sub, int maxMessages, qint64 leaseEnd, QList<PulledMessage> &out)
    {
        // ps_messages holds every topic's messages in id order: read on from the cursor, skipping other topics'
        // (the cursor moves past them too, so each is read once per subscription), and bound one pull's reading.
        constexpr qint64 MaxRowsRead = 65536;
        Result<SqliteStatement *> select = m_db.prepare(
            "SELECT id, topic_id, publish_time, ordering_key, attributes, data FROM ps_messages WHERE id>?1 ORDER BY id LIMIT ?2");
        if (!select)
            return select.error();
        SqliteStatement *st = *select;
        st->bind(1, sub.deliveredThrough);
        st->bind(2, MaxRowsRead);
        qint64 cursor = sub.deliveredThrough;
        int taken = 0;
        while (taken < maxMessages && st->step()) {
            cursor = st->int64(0);
            if (st->int64(1) != sub.topicId)
                continue;
            PulledMessage m;
            m.messageId = cursor;
            m.publishTime = st->int64(2);
            m.orderingKey = st->text(3);
            m.attributes = st->textUtf8(4);
            m.data = st->blob(5);
            out.append(std::move(m));
            ++taken;
        }
        const bool failed = st->hasError();
        st->reset();
        if (failed)
            return m_db.error(u"pull"_s);
        if (taken > 0) {
            if (Status s = m_db.execute("INSERT INTO ps_deliveries(sub_id, msg_id, available_at, attempts) "
                                        "SELECT ?1, id, ?2, 1 FROM ps_messages WHERE id>?3 AND id<=?4 AND topic_id=?5",
                                        {sub.id, leaseEnd, sub.deliveredThrough, cursor, sub.topicId}, u"pull"_s); !s)
                return s.error();
        }
        return cursor;
    }

    Result<qint64> PubSubService::materializeFreshMessages(const Subscription &sub)
    {
        Result<qint64> last = lastMessageId();
        if (!last)
            return last.error();
        if (sub.topicId == 0 || *last <= sub.deliveredThrough)
            return qMax(*last, sub.deliveredThrough);
        if (Status s = m_db.execute("INSERT OR IGNORE INTO ps_deliveries(sub_id, msg_id) SELECT ?1, id FROM ps_messages WHERE id>?2 AND id<=?3 AND topic_id=?4",
                                    {sub.id, sub.deliveredThrough, *last, sub.topicId}, u"pull"_s); !s)
            return s.error();
        return *last;
    }

    Status PubSubService::saveCursor(qint64 subscriptionId, qint64 deliveredThrough)
    {
        return m_db.execute("UPDATE ps_subscriptions SET delivered_through=?1 WHERE id=?2", {deliveredThrough, subscriptionId},
                            u"subscription cursor"_s);
    }

    Result<qint64> PubSubService::lastMessageId()
    {
        // AUTOINCREMENT ids are never reused, even after the newest messages are deleted.
        return m_db.integer("SELECT seq FROM sqlite_sequence WHERE name='ps_messages'", {}, u"last message id"_s);
    }

    Result<QList<PubSubService::PulledMessage>> PubSubService::leaseOrderedMessages(Subscription &sub, int maxMessages, qint64 now)
    {
        // Messages of one ordering key go out in publish order, and not while an earlier one is outstanding.
        // When an earlier one comes back (nacked, or its lease expired), every later one of its key comes back
        // with it, in order, as Pub/Sub does: those are delivered again even if their own leases still run.
        Result<SqliteStatement *> select = m_db.prepare(
            "SELECT d.msg_id, d.attempts, m.publish_time, m.ordering_key, m.attributes, m.data, d.available_at "
            "FROM ps_deliveries d JOIN ps_messages m ON m.id = d.msg_id WHERE d.sub_id=?1 AND d.acked=0 ORDER BY d.msg_id");
        if (!select)
            return select.error();
        SqliteStatement *st = *select;
        st->bind(1, sub.id);
        QSet<QString> blocked;
        QSet<QString> delivering;
        QList<PulledMessage> out;
        while (out.size() < maxMessages && st->step()) {
            const QString orderingKey = st->text(3);
            const bool available = st->int64(6) <= now || (!orderingKey.isEmpty() && delivering.contains(orderingKey));
            if (!orderingKey.isEmpty() && blocked.contains(orderingKey))
                continue;
            if (!available) {
                if (!orderingKey.isEmpty())
                    blocked.insert(orderingKey);
                continue;
            }
            PulledMessage m;
            m.messageId = st->int64(0);
            m.attempt = int(st->int64(1));
            m.publishTime = st->int64(2);
            m.orderingKey = orderingKey;
            m.attributes = st->textUtf8(4);
            m.data = st->blob(5);
            out.append(std::move(m));
            if (!orderingKey.isEmpty())
                delivering.insert(orderingKey);
        }
        const bool failed = st->hasError();
        st->reset();
        if (failed)
            return m_db.error(u"pull"_s);
        return out;
    }

    Status PubSubService::deadLetter(Subscription &sub, const PulledMessage &message)
    {
        Topic *target = findTopicByPath(sub.deadLetterTopic);
        QJsonObject attributes = QJsonDocument::fromJson(message.attributes).object();
        attributes.insert(u"CloudPubSubDeadLetterSourceDeliveryCount"_s, QString::number(message.attempt));
        attributes.insert(u"CloudPubSubDeadLetterSourceSubscription"_s, sub.name);
        attributes.insert(u"CloudPubSubDeadLetterSourceSubscriptionProject"_s, sub.project);
        attributes.insert(u"CloudPubSubDeadLetterSourceTopicPublishTime"_s, Time::formatRfc3339Fixed(message.publishTime, 3));
        const PublishedMessage copy {message.data, QJsonDocument(attributes).toJson(QJsonDocument::Compact), message.orderingKey};
        Result<QList<qint64>> ids = insertMessages(*target, {copy});
        if (!ids)
            return ids.error();
        for (qint64 subId : target->subscriptionIds)
            m_freshCounts.remove(subId);   // counted again when next asked
        if (Status s = m_db.execute("DELETE FROM ps_deliveries WHERE sub_id=?1 AND msg_id=?2",
                                    {sub.id, message.messageId}, u"dead-letter"_s); !s)
            return s.error();
        QMetaObject::invokeMethod(this, [this, subs = target->subscriptionIds] { serveWaiters(subs); }, Qt::QueuedConnection);
        return Ok {};
    }

    QByteArray PubSubService::pullReply(const Subscription &sub, const QList<PulledMessage> &messages) const
    {
        if (messages.isEmpty())
            return QByteArrayLiteral("{}");
        qsizetype estimate = 64;
        for (const PulledMessage &m : messages)
            estimate += m.data.size() * 4 / 3 + m.attributes.size() + m.orderingKey.size() + 160;
        JsonWriter writer(estimate);
        writer.raw("{\"receivedMessages\":[");
        // The messages of one publish request share their publish time: format it once.
        qint64 lastPublishTime = -1;
        QByteArray publishTime;
        for (qsizetype i = 0; i < messages.size(); ++i) {
            const PulledMessage &m = messages[i];
            if (i)
                writer.raw(",");
            writer.raw("{\"ackId\":\"");
            writer.number(sub.id);
            writer.raw("-");
            writer.number(m.messageId);
            writer.raw("-");
            writer.number(m.attempt);
            writer.raw("\",\"message\":{");
            bool needComma = false;
            if (!m.data.isEmpty()) {
                writer.raw("\"data\":\"");
                writer.base64(m.data);
                writer.raw("\"");
                needComma = true;
            }
            if (!m.attributes.isEmpty()) {
                writer.raw(needComma ? ",\"attributes\":" : "\"attributes\":");
                writer.raw(m.attributes);
                needComma = true;
            }
            writer.raw(needComma ? ",\"messageId\":\"" : "\"messageId\":\"");
            writer.number(m.messageId);
            writer.raw("\",\"publishTime\":\"");
            if (m.publishTime != lastPublishTime) {
                lastPublishTime = m.publishTime;
                publishTime = Time::formatRfc3339Fixed(m.publishTime, 6).toLatin1();
            }
            writer.raw(publishTime);
            writer.raw("\"");
            if (!m.orderingKey.isEmpty()) {
                writer.raw(",\"orderingKey\":");
                writer.string(m.orderingKey);
            }
            writer.raw("}");
            if (sub.maxDeliveryAttempts > 0) {
                writer.raw(",\"deliveryAttempt\":");
                writer.number(m.attempt);
            }
            writer.raw("}");
        }
        writer.raw("]}");
        return writer.take();
    }

    Result<QJsonObject> PubSubService::acknowledge(const QString &project, const QString &subscription, const QByteArray &body)
    {
        // The body is read first: a body that is not JSON is a 400 whatever it names.
        Result<QList<AckId>> ids = parseAckIds(body);
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        if (!ids)
            return ids.error();
        // An acknowledgement holds whatever the attempt, so a run of consecutive message ids is one range: the
        // ids of one pull mostly are.
        QList<qint64> messageIds;
        messageIds.reserve(ids->size());
        for (const AckId &id : *ids) {
            if (id.subscriptionId == sub->id)   // else an ack id of another (or a recreated) subscription: nothing to do
                messageIds.append(id.messageId);
        }
        std::sort(messageIds.begin(), messageIds.end());
        SqliteTransaction transaction(m_db);
        Result<SqliteStatement *> st = m_db.prepare(sub->retainAcked ? QByteArray("UPDATE ps_deliveries SET acked=1 WHERE sub_id=?1 AND msg_id BETWEEN ?2 AND ?3")
                                                                     : QByteArray("DELETE FROM ps_deliveries WHERE sub_id=?1 AND msg_id BETWEEN ?2 AND ?3"));
        if (!st)
            return st.error();
        for (qsizetype i = 0; i < messageIds.size();) {
            qsizetype j = i + 1;
            while (j < messageIds.size() && messageIds[j] <= messageIds[j - 1] + 1)
                ++j;
            (*st)->reset();
            (*st)->bind(1, sub->id);
            (*st)->bind(2, messageIds[i]);
            (*st)->bind(3, messageIds[j - 1]);
            (*st)->step();
            if ((*st)->hasError())
                return m_db.error(u"acknowledge"_s);
            i = j;
        }
        if (Status s = transaction.commit(); !s)
            return s.error();
        return QJsonObject();
    }

    qint64 PubSubService::nackBackoffMicros(const Subscription &sub, int attempts) const
    {
        if (!sub.hasRetryPolicy)
            return 0;
        qint64 backoff = sub.minimumBackoffMicros;
        for (int i = 1; i < attempts && backoff < sub.maximumBackoffMicros; ++i)
            backoff *= 2;
        return qMin(backoff, sub.maximumBackoffMicros);
    }

    Result<QJsonObject> PubSubService::modifyAckDeadline(const QString &project, const QString &subscription, const QJsonObject &body)
    {
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        Result<qint64> deadline = JsonFields::integer(body, "ackDeadlineSeconds", "ack_deadline_seconds", 0, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
        if (!deadline)
            return deadline.error();
        if (*deadline < 0 || *deadline > 600)
            return ApiError::invalidArgument(u"Invalid ack deadline given: %1. It must be between 0 and 600 seconds."_s.arg(*deadline));
        Result<QList<AckId>> ids = parseAckIds(body);
        if (!ids)
            return ids.error();
        const qint64 now = Time::nowMicros();
        SqliteTransaction transaction(m_db);
        Result<SqliteStatement *> st = m_db.prepare(
            "UPDATE ps_deliveries SET available_at=?1 WHERE sub_id=?2 AND msg_id=?3 AND attempts=?4 AND acked=0");
        if (!st)
            return st.error();
        for (const AckId &id : *ids) {
            if (id.subscriptionId != sub->id)
                continue;
            (*st)->reset();
            (*st)->bind(1, *deadline == 0 ? now + nackBackoffMicros(*sub, id.attempt) : now + *deadline * MICROS);
            (*st)->bind(2, sub->id);
            (*st)->bind(3, id.messageId);
            (*st)->bind(4, qint64(id.attempt));
            (*st)->step();
            if ((*st)->hasError())
                return m_db.error(u"modifyAckDeadline"_s);
        }
        if (Status s = transaction.commit(); !s)
            return s.error();
        if (*deadline == 0)
            serveWaiters({sub->id});
        return QJsonObject();
    }

    Result<qint64> PubSubService::firstMessageIdAtOrAfter(qint64 micros)
    {
        // Message ids grow with publish time (one writer), so a binary search over ids finds a time.
        // Two statements: SQLite reads MIN or MAX of the rowid from the B-tree's edge only when it is the query's one
        // aggregate; both in one SELECT scan the whole backlog.
        Result<qint64> oldest = m_db.integer("SELECT IFNULL(MIN(id), 1) FROM ps_messages", {}, u"garbage collection"_s);
        if (!oldest)
            return oldest.error();
        Result<qint64> newest = m_db.integer("SELECT IFNULL(MAX(id), 0) FROM ps_messages", {}, u"garbage collection"_s);
        if (!newest)
            return newest.error();
        qint64 lo = *oldest;
        qint64 hi = *newest + 1;
        Result<SqliteStatement *> probe = m_db.prepare("SELECT publish_time FROM ps_messages WHERE id>=?1 ORDER BY id LIMIT 1");
        if (!probe)
            return probe.error();
        while (lo < hi) {
            const qint64 mid = lo + (hi - lo) / 2;
            (*probe)->reset();
            (*probe)->bind(1, mid);
            const bool found = (*probe)->step();
            const qint64 t = found ? (*probe)->int64(0) : std::numeric_limits<qint64>::max();
            if (t < micros)
                lo = mid + 1;
            else
                hi = mid;
        }
        (*probe)->reset();
        return lo;
    }

    Result<QJsonObject> PubSubService::seek(const QString &project, const QString &subscription, const QJsonObject &body)
    {
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        if (JsonFields::has(body, "snapshot"))
            return ApiError::unimplemented(u"Snapshots are not supported by the local cloud; seek to a time instead."_s);
        const QJsonValue time = JsonFields::value(body, "time");
        if (!time.isString())
            return ApiError::invalidArgument(u"Seek needs \"time\" (RFC 3339, e.g. \"2024-05-01T00:00:00Z\") or \"snapshot\"."_s);
        const std::optional<qint64> at = Time::parseTimestamp(time.toString());
        if (!at)
            return ApiError::invalidArgument(u"Invalid seek time \"%1\": expected RFC 3339, e.g. 2024-05-01T00:00:00Z."_s.arg(time.toString()));
        Result<qint64> boundary = firstMessageIdAtOrAfter(*at);
        if (!boundary)
            return boundary.error();
        // What can come back: messages still stored that the topic or this subscription retains.
        const qint64 now = Time::nowMicros();
        const Topic *topic = m_topics.contains(sub->topicId) ? &m_topics[sub->topicId] : nullptr;
        qint64 retained = sub->retainAcked ? sub->retentionMicros : 0;
        if (topic)
            retained = qMax(retained, topic->retentionMicros);
        Result<qint64> oldestRestorable = firstMessageIdAtOrAfter(now - retained);
        if (!oldestRestorable)
            return oldestRestorable.error();
        // Before the boundary: acknowledged. From the first restorable message on: never delivered, so the cursor
        // goes back there. In between: what is unacknowledged is delivered again at once.
        const qint64 restoreFrom = topic && retained > 0 ? qMax(*boundary, *oldestRestorable) : std::numeric_limits<qint64>::max();
        const qint64 cursor = sub->topicId == 0 ? sub->deliveredThrough : qMin(qMax(sub->deliveredThrough, *boundary - 1), restoreFrom - 1);
        SqliteTransaction transaction(m_db);
        const QByteArray subId = QByteArray::number(sub->id);
        QByteArray sql = "DELETE FROM ps_deliveries WHERE sub_id=" + subId + " AND msg_id<" + QByteArray::number(*boundary) + ";";
        if (restoreFrom != std::numeric_limits<qint64>::max())
            sql += "DELETE FROM ps_deliveries WHERE sub_id=" + subId + " AND msg_id>=" + QByteArray::number(restoreFrom) + ";";
        sql += "UPDATE ps_deliveries SET available_at=0 WHERE sub_id=" + subId + " AND acked=0;";
        if (Status s = m_db.exec(sql); !s)
            return s.error();
        if (Status s = saveCursor(sub->id, cursor); !s)
            return s.error();
        if (Status s = transaction.commit(); !s)
            return s.error();
        sub->deliveredThrough = cursor;
        m_freshCounts.remove(sub->id);
        serveWaiters({sub->id});
        return QJsonObject();
    }

    Result<QJsonObject> PubSubService::detach(const QString &project, const QString &subscription)
    {
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        Result<qint64> last = lastMessageId();
        if (!last)
            return last.error();
        SqliteTransaction transaction(m_db);
        sub->detached = true;
        if (Status s = saveSubscription(*sub); !s)
            return s.error();
        if (Status s = m_db.exec("DELETE FROM ps_deliveries WHERE sub_id=" + QByteArray::number(sub->id)); !s)
            return s.error();
        if (Status s = saveCursor(sub->id, qMax(*last, sub->deliveredThrough)); !s)
            return s.error();
        if (Status s = transaction.commit(); !s)
            return s.error();
        sub->deliveredThrough = qMax(*last, sub->deliveredThrough);
        m_freshCounts.remove(sub->id);
        return QJsonObject();
    }

    Result<qint64> PubSubService::backlog(const QString &project, const QString &subscription)
    {
        Subscription *sub = findSubscription(project, subscription);
        if (!sub)
            return resourceNotFound(subscription);
        Result<qint64> leased = m_db.integer("SELECT COUNT(*) FROM ps_deliveries WHERE sub_id=?1 AND acked=0", {sub->id}, u"backlog"_s);
        if (!leased)
            return leased.error();
        qint64 count = *leased;
        if (sub->topicId != 0 && !sub->detached) {
            // Counted once, then kept up to date by publishes and pulls: a scan of a large backlog every few
            // seconds would hold the writer's thread.
            auto it = m_freshCounts.find(sub->id);
            if (it == m_freshCounts.end()) {
                Result<qint64> scanned = m_db.integer("SELECT COUNT(*) FROM ps_messages WHERE id>?1 AND topic_id=?2",
                                                      {sub->deliveredThrough, sub->topicId}, u"backlog"_s);
                if (!scanned)
                    return scanned.error();
                it = m_freshCounts.insert(sub->id, *scanned);
            }
            count += *it;
        }
        return count;
    }

    Result<qint64> PubSubService::advanceIdleCursor(Subscription &sub)
    {
        // Up to just before the topic's next message, or past every message when it has none.
        Result<qint64> next = m_db.integer("SELECT id FROM ps_messages WHERE id>?1 AND topic_id=?2 ORDER BY id LIMIT 1",
                                           {sub.deliveredThrough, sub.topicId}, u"garbage collection"_s);
        if (!next)
            return next.error();
        Result<qint64> newest = *next ? Result<qint64>(*next - 1) : m_db.integer("SELECT MAX(id) FROM ps_messages", {}, u"garbage collection"_s);
        if (!newest)
            return newest.error();
        const qint64 cursor = *newest;
        if (cursor <= sub.deliveredThrough)
            return sub.deliveredThrough;
        if (Status s = saveCursor(sub.id, cursor); !s)
            return s.error();
        sub.deliveredThrough = cursor;
        return cursor;
    }

    void PubSubService::collectGarbage()
    {
        const qint64 now = Time::nowMicros();
        // 1. Subscription retention: unacked (and retained acked) messages past it are dropped, and never-delivered
        //    ones are skipped.
        for (Subscription &sub : m_subscriptions) {
            Result<qint64> cutoff = firstMessageIdAtOrAfter(now - sub.retentionMicros);
            if (!cutoff)
                return;
            (void)m_db.exec("DELETE FROM ps_deliveries WHERE sub_id=" + QByteArray::number(sub.id) + " AND msg_id<" + QByteArray::number(*cutoff));
            if (sub.topicId != 0 && sub.deliveredThrough < *cutoff - 1 && saveCursor(sub.id, *cutoff - 1)) {
                sub.deliveredThrough = *cutoff - 1;
                m_freshCounts.remove(sub.id);
            }
        }
        // 2. Messages no subscription still needs, beyond every topic's own retention. A subscription needs what it
        //    leased and has not acknowledged (or retains), and its topic's messages past its cursor; a cursor that
        //    only other topics' messages follow moves up first, so an idle subscription holds nothing back.
        qint64 watermark = std::numeric_limits<qint64>::max();
        Result<SqliteStatement *> lowest = m_db.prepare("SELECT MIN(msg_id) FROM ps_deliveries WHERE sub_id=?1");
        if (!lowest)
            return;
        for (Subscription &sub : m_subscriptions) {
            (*lowest)->reset();
            (*lowest)->bind(1, sub.id);
            if ((*lowest)->step() && !(*lowest)->isNull(0))
                watermark = qMin(watermark, (*lowest)->int64(0));
            (*lowest)->reset();
            if (sub.topicId == 0 || sub.detached)
                continue;
            Result<qint64> cursor = advanceIdleCursor(sub);
            if (!cursor)
                return;
            watermark = qMin(watermark, *cursor + 1);
        }
        qint64 topicRetention = 0;
        for (const Topic &topic : std::as_const(m_topics))
            topicRetention = qMax(topicRetention, topic.retentionMicros);
        if (topicRetention > 0) {
            Result<qint64> cutoff = firstMessageIdAtOrAfter(now - topicRetention);
            if (!cutoff)
                return;
            watermark = qMin(watermark, *cutoff);
        }
        if (watermark == std::numeric_limits<qint64>::max())
            (void)m_db.exec("DELETE FROM ps_messages");
        else
            (void)m_db.exec("DELETE FROM ps_messages WHERE id<" + QByteArray::number(watermark));
    }
}
