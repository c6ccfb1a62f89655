#include "app/cli/reconciler.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <utility>

#include "app/cli/commandsupport.h"
#include "app/cli/idsfilereader.h"
#include "core/bigquery/bigqueryclient.h"
#include "core/pubsub/pubsubclient.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Cli
{
    namespace
    {
        // Rows per page of a query's result.
        constexpr int PageSize = 10000;

        QString quotedColumn(const QString &column)
        {
            return u"`%1`"_s.arg(column);
        }

        // "... (message 123)" at the end of a stacktrace the pipeline wrote; empty when there is none.
        QString messageIdOf(const QString &stacktrace)
        {
            static const QString Marker = u"(message "_s;
            const qsizetype start = stacktrace.lastIndexOf(Marker);
            if (start < 0)
                return {};
            const qsizetype from = start + Marker.size();
            const qsizetype end = stacktrace.indexOf(u')', from);
            return end < 0 ? QString() : stacktrace.mid(from, end - from);
        }

        // The event IDs of one lookup query, and their indexes in the run.
        struct Chunk
        {
            QList<BigQuery::QueryParameter> parameters;
            QStringList placeholders;
        };

        using PageHandler = std::function<void(Result<BigQuery::QueryPage>)>;
    }

    Reconciler::Reconciler(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, const PublishedRun &run, ReconcilerSettings settings)
        : m_bigquery {bigquery}, m_pubsub {pubsub}, m_run {run}, m_settings {std::move(settings)}
    {
    }

    QString Reconciler::tableName(const QString &table) const
    {
        return u"%1.%2.%3"_s.arg(m_bigquery->project(), m_settings.dataset, table);
    }

    Result<Reconciliation> Reconciler::run()
    {
        Reconciliation report;
        report.idsFile = m_run.path();
        report.lines = m_run.lines();
        report.linesWithoutEventId = m_run.linesWithoutEventId();
        report.publishedMoreThanOnce = m_run.publishedMoreThanOnce();
        report.table = tableName(m_settings.table);
        report.errorTable = tableName(m_settings.errorTable);
        report.maxListed = m_settings.maxListed;
        report.sent = m_run.eventCount();
        m_rows.assign(std::size_t(m_run.eventCount()), 0);
        m_flags.assign(std::size_t(m_run.eventCount()), 0);
        m_errorDetails.clear();
        m_lookedUp = 0;

        // Before the tables: see the class comment.
        readBacklogs(&report);
        Result<BigQuery::TableField> key = keyColumn();
        if (!key)
            return key.error();
        report.keyColumn = key->name;
        const Result<BigQuery::TableInfo> errorTable = waitFor<BigQuery::TableInfo>(
            [&](auto done) { m_bigquery->getTable(m_settings.dataset, m_settings.errorTable, nullptr, done); });
        if (!errorTable && errorTable.error().httpStatus != 404)
            return ApiError::unavailable(u"cannot read the error table %1: %2"_s.arg(report.errorTable, errorTable.error().message));
        report.errorTableExists = bool(errorTable);

        if (Status looked = lookUpTable(*key); !looked)
            return looked.error();
        qint64 notInTable = 0;
        for (const quint32 rows : m_rows) {
            if (rows == 0) {
                ++notInTable;
                continue;
            }
            ++report.stored;
            if (rows > 1) {
                ++report.duplicated;
                report.extraRows += rows - 1;
            }
        }
        if (notInTable > 0 && report.errorTableExists) {
            if (Status scanned = scanErrorTable(&report); !scanned)
                return scanned.error();
        }
        report.missing = notInTable - report.inErrorTable;
        if (Status listed = listEvents(&report); !listed)
            return listed.error();
        return report;
    }

    void Reconciler::readBacklogs(Reconciliation *report)
    {
        const std::pair<Reconciliation::Backlog *, QString> subscriptions[] = {
            {&report->subscription, m_settings.subscription},
            {&report->deadLetterSubscription, m_settings.deadLetterSubscription},
        };
        for (const auto &[backlog, id] : subscriptions) {
            backlog->subscription = m_pubsub->subscriptionPath(id);
            const Result<PubSub::Subscription> found = waitFor<PubSub::Subscription>([&](auto done) { m_pubsub->getSubscription(id, nullptr, done); });
            if (found) {
                backlog->messages = found->backlog;
            } else if (found.error().httpStatus == 404) {
                backlog->exists = false;
            } else {
                report->warnings.append(u"cannot read the subscription %1, so its backlog is unknown: %2"_s.arg(backlog->subscription, found.error().message));
            }
        }
        const qint64 waiting = report->backlog();
        if (!report->subscription.exists)
            report->whereabouts = Reconciliation::Whereabouts::Lost;
        else if (waiting < 0)
            report->whereabouts = Reconciliation::Whereabouts::Unknown;
        else
            report->whereabouts = waiting > 0 ? Reconciliation::Whereabouts::Pending : Reconciliation::Whereabouts::Lost;
    }

    Result<BigQuery::TableField> Reconciler::keyColumn()
    {
        const QString table = tableName(m_settings.table);
        const Result<BigQuery::TableInfo> info = waitFor<BigQuery::TableInfo>(
            [&](auto done) { m_bigquery->getTable(m_settings.dataset, m_settings.table, nullptr, done); });
        if (!info && info.error().httpStatus == 404)
            return ApiError::notFound(u"the table %1 does not exist; has the ingest pipeline run (aqueduct serve creates it)?"_s.arg(table));
        if (!info)
            return ApiError::unavailable(u"cannot read the table %1: %2"_s.arg(table, info.error().message));
        const BigQuery::TableField *key = info->schema.field(m_settings.keyColumn);
        if (!key) {
            QStringList columns;
            for (const BigQuery::TableField &field : info->schema.fields)
                columns.append(field.name);
            return ApiError::invalidArgument(u"--key-column %1: the table %2 has no such column (it has %3)"_s.arg(m_settings.keyColumn, table, columns.join(u", "_s)));
        }
        if (key->isRepeated() || (key->type != BigQuery::FieldType::String && key->type != BigQuery::FieldType::Int64)) {
            return ApiError::invalidArgument(u"--key-column %1: the column is %2%3; verify looks events up by a STRING or INT64 key"_s.arg(
                m_settings.keyColumn, key->isRepeated() ? u"REPEATED "_s : QString(), BigQuery::standardTypeName(key->type)));
        }
        return *key;
    }

    Result<bool> Reconciler::nextEvent(IdsFileReader &reader, IdsLine *line, quint32 *index) const
    {
        while (true) {
            Result<bool> more = reader.next(line);
            if (!more || !*more)
                return more;
            if (line->eventId.isEmpty())
                continue;
            const std::optional<quint32> found = m_run.indexOfEvent(line->eventId);
            if (!found)
                return ApiError::failedPrecondition(u"%1 changed while it was being read (line %2)"_s.arg(m_run.path()).arg(line->number));
            *index = *found;
            return true;
        }
    }

    Status Reconciler::lookUpTable(const BigQuery::TableField &keyField)
    {
        IdsFileReader reader(m_run.path());
        if (Status opened = reader.open(); !opened)
            return opened;
        const QString column = quotedColumn(keyField.name);
        // An INT64 key is compared as text, as the ids file holds it.
        const QString key = keyField.type == BigQuery::FieldType::String ? column : u"CAST(%1 AS STRING)"_s.arg(column);
        const QString table = u"`%1`"_s.arg(tableName(m_settings.table));

        std::optional<ApiError> failure;
        bool endOfFile = false;
        int inFlight = 0;
        std::function<void()> pump;
        std::function<void(Status)> finish;   // waitFor's, until it is called
        std::vector<std::unique_ptr<PageHandler>> handlers;

        // The next chunk of event IDs not looked up yet; empty at the end of the file.
        const auto nextChunk = [&]() -> Result<Chunk> {
            Chunk chunk;
            IdsLine line;
            quint32 index = 0;
            while (chunk.parameters.size() < m_settings.chunkSize) {
                Result<bool> more = nextEvent(reader, &line, &index);
                if (!more)
                    return more.error();
                if (!*more)
                    break;
                quint8 &flags = m_flags[index];
                if (flags & Queued)
                    continue;
                flags |= Queued;
                BigQuery::QueryParameter parameter;
                parameter.name = u"id%1"_s.arg(chunk.parameters.size());
                parameter.value = QString::fromUtf8(line.eventId);
                chunk.placeholders.append(u"@"_s + parameter.name);
                chunk.parameters.append(std::move(parameter));
            }
            return chunk;
        };

        const auto send = [&](Chunk chunk) {
            BigQuery::QueryRequest request;
            request.sql = u"SELECT %1 AS id, COUNT(*) AS n FROM %2 WHERE %1 IN (%3) GROUP BY 1"_s.arg(key, table, chunk.placeholders.join(u", "_s));
            request.parameters = std::move(chunk.parameters);
            request.pageSize = PageSize;
            const qsizetype ids = request.parameters.size();
            ++inFlight;
            // Kept until every query has answered; a handler asks for its own next page.
            PageHandler *onPage = handlers.emplace_back(std::make_unique<PageHandler>()).get();
            *onPage = [&, onPage, ids](Result<BigQuery::QueryPage> page) {
                if (!page) {
                    if (!failure)
                        failure = ApiError::unavailable(u"cannot look event IDs up in %1: %2"_s.arg(tableName(m_settings.table), page.error().message));
                } else {
                    for (const QVariantList &row : page->rows) {
                        const std::optional<quint32> index = m_run.indexOfEvent(row.value(0).toString().toUtf8());
                        if (index) {
                            const qint64 rows = row.value(1).toLongLong();
                            m_rows[*index] = quint32(std::clamp<qint64>(rows, 0, std::numeric_limits<quint32>::max()));
                        }
                    }
                    if (page->hasMore()) {
                        m_bigquery->nextQueryPage(*page, PageSize, nullptr, *onPage);
                        return;
                    }
                    m_lookedUp += ids;
                }
                --inFlight;
                pump();
            };
            m_bigquery->query(request, nullptr, *onPage);
        };

        pump = [&] {
            while (!failure && !endOfFile && inFlight < m_settings.concurrentQueries) {
                Result<Chunk> chunk = nextChunk();
                if (!chunk) {
                    failure = chunk.error();
                    break;
                }
                if (chunk->parameters.isEmpty()) {
                    endOfFile = true;
                    break;
                }
                send(std::move(*chunk));
            }
            if ((failure || endOfFile) && inFlight == 0 && finish)
                std::exchange(finish, nullptr)(failure ? Status(*failure) : Status(Ok {}));
        };
        return waitFor<Ok>([&](auto done) {
            finish = done;
            pump();
        });
    }

    Status Reconciler::scanErrorTable(Reconciliation *report)
    {
        const QString key = m_settings.keyColumn;
        QStringList keyPaths {key};
        if (key == u"event_id"_s)
            keyPaths.append(u"id"_s);   // the design lets events carry id instead of event_id
        QStringList columns {u"stacktrace"_s, u"errorMessage"_s};
        for (const QString &path : keyPaths)
            columns.append(u"JSON_VALUE(payloadString, '$.%1') AS key_%1"_s.arg(path));
        BigQuery::QueryRequest request;
        request.sql = u"SELECT %1 FROM `%2`"_s.arg(columns.join(u", "_s), tableName(m_settings.errorTable));
        request.pageSize = PageSize;

        // The missing event an error row is about, if any: by its message ID, else by the key in its payload.
        const auto missingEventOf = [&](const QVariantList &row, bool *byMessageId) -> std::optional<quint32> {
            if (const QString messageId = messageIdOf(row.value(0).toString()); !messageId.isEmpty()) {
                const std::optional<quint32> index = m_run.indexOfMessage(messageId.toUtf8());
                if (index && m_rows[*index] == 0) {
                    *byMessageId = true;
                    return index;
                }
            }
            for (qsizetype column = 2; column < row.size(); ++column) {
                if (row[column].isNull())
                    continue;
                const std::optional<quint32> index = m_run.indexOfEvent(row[column].toString().toUtf8());
                if (index && m_rows[*index] == 0) {
                    *byMessageId = false;
                    return index;
                }
            }
            return std::nullopt;
        };
        const auto account = [&](const QVariantList &row) {
            bool byMessageId = true;
            const std::optional<quint32> index = missingEventOf(row, &byMessageId);
            if (!index || (m_flags[*index] & InErrorTable))
                return;
            m_flags[*index] |= InErrorTable;
            ++report->inErrorTable;
            if (m_errorDetails.size() < m_settings.maxListed)
                m_errorDetails.insert(*index, {row.value(1).toString(), byMessageId});
        };

        PageHandler onPage;
        return waitFor<Ok>([&](auto done) {
            onPage = [&, done](Result<BigQuery::QueryPage> page) {
                if (!page) {
                    done(ApiError::unavailable(u"cannot read the error table %1: %2"_s.arg(report->errorTable, page.error().message)));
                    return;
                }
                // The next page is on its way while this one is matched.
                if (page->hasMore())
                    m_bigquery->nextQueryPage(*page, PageSize, nullptr, onPage);
                for (const QVariantList &row : page->rows)
                    account(row);
                if (!page->hasMore())
                    done(Ok {});
            };
            m_bigquery->query(request, nullptr, onPage);
        });
    }

    Status Reconciler::listEvents(Reconciliation *report)
    {
        const qsizetype max = m_settings.maxListed;
        const qint64 wantedMissing = std::min<qint64>(max, report->missing);
        const qint64 wantedErrors = std::min<qint64>(max, m_errorDetails.size());
        const qint64 wantedDuplicated = std::min<qint64>(max, report->duplicated);
        const auto done = [&] {
            return report->missingList.size() >= wantedMissing && report->errorList.size() >= wantedErrors
                   && report->duplicatedList.size() >= wantedDuplicated;
        };
        if (done())
            return Ok {};
        IdsFileReader reader(m_run.path());
        if (Status opened = reader.open(); !opened)
            return opened;
        IdsLine line;
        quint32 index = 0;
        while (!done()) {
            Result<bool> more = nextEvent(reader, &line, &index);
            if (!more)
                return more.error();
            if (!*more)
                break;
            if (m_flags[index] & Listed)
                continue;
            m_flags[index] |= Listed;
            const quint32 rows = m_rows[index];
            const QString eventId = QString::fromUtf8(line.eventId);
            if (rows > 1 && report->duplicatedList.size() < wantedDuplicated) {
                report->duplicatedList.append({eventId, line.number, rows});
            } else if (rows == 0 && (m_flags[index] & InErrorTable)) {
                const auto detail = m_errorDetails.constFind(index);
                if (detail != m_errorDetails.cend())
                    report->errorList.append({eventId, QString::fromUtf8(line.messageId), line.number, detail->errorMessage, detail->byMessageId});
            } else if (rows == 0 && report->missingList.size() < wantedMissing) {
                report->missingList.append({eventId, QString::fromUtf8(line.messageId), line.number});
            }
        }
        return Ok {};
    }
}
