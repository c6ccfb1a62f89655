#include "core/reconcile/reconciler.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include "core/bigquery/bigqueryclient.h"
#include "core/pubsub/pubsubclient.h"
#include "core/reconcile/idsfilereader.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Reconcile
{
    namespace
    {
        // Rows per page of a query's result.
        constexpr int PageSize = 10000;

        using PageHandler = std::function<void(Result<BigQuery::QueryPage>)>;

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
    }

    struct Reconciler::LookUp
    {
        explicit LookUp(const QString &path) : reader {path} {}

        IdsFileReader reader;
        QString key;     // the key column, as text
        QString table;   // `project.dataset.table`
        std::optional<ApiError> failure;
        bool endOfFile = false;
        int inFlight = 0;
        std::vector<std::unique_ptr<PageHandler>> handlers;
    };

    Reconciler::Reconciler(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, PublishedRun run, ReconcilerSettings settings,
                           QObject *parent)
        : QObject(parent)
        , m_bigquery {bigquery}
        , m_pubsub {pubsub}
        , m_run {std::move(run)}
        , m_settings {std::move(settings)}
    {
    }

    Reconciler::~Reconciler() = default;

    QString Reconciler::tableName(const QString &table) const
    {
        return u"%1.%2.%3"_s.arg(m_bigquery->project(), m_settings.dataset, table);
    }

    void Reconciler::setStage(Stage stage)
    {
        m_stage = stage;
        emit progressed();
    }

    void Reconciler::finish(Result<Reconciliation> result)
    {
        m_report = {};
        setStage(Stage::Idle);
        // From the event loop, not from here: the handler that ended the run is still on the stack, and the
        // callback may start the next run, which replaces the handlers.
        auto outcome = std::make_shared<Result<Reconciliation>>(std::move(result));
        QMetaObject::invokeMethod(
            this, [done = std::exchange(m_done, nullptr), outcome] { done(std::move(*outcome)); }, Qt::QueuedConnection);
    }

    void Reconciler::start(Callback done)
    {
        Q_ASSERT(done);
        if (isRunning()) {
            QMetaObject::invokeMethod(
                this, [done] { done(ApiError::failedPrecondition(u"a reconciliation is already running"_s)); }, Qt::QueuedConnection);
            return;
        }
        m_done = std::move(done);
        m_report = {};
        m_report.idsFile = m_run.path();
        m_report.lines = m_run.lines();
        m_report.linesWithoutEventId = m_run.linesWithoutEventId();
        m_report.publishedMoreThanOnce = m_run.publishedMoreThanOnce();
        m_report.table = tableName(m_settings.table);
        m_report.errorTable = tableName(m_settings.errorTable);
        m_report.maxListed = m_settings.maxListed;
        m_report.sent = m_run.eventCount();
        m_rows.assign(std::size_t(m_run.eventCount()), 0);
        m_flags.assign(std::size_t(m_run.eventCount()), 0);
        m_errorDetails.clear();
        m_lookUp.reset();
        m_errorPage = nullptr;
        m_lookedUp = 0;

        // Before the tables: see the class comment.
        setStage(Stage::Backlogs);
        readBacklog(0);
    }

    void Reconciler::readBacklog(int which)
    {
        if (which > 1) {
            const qint64 waiting = m_report.backlog();
            if (!m_report.subscription.exists)
                m_report.whereabouts = Reconciliation::Whereabouts::Lost;
            else if (waiting < 0)
                m_report.whereabouts = Reconciliation::Whereabouts::Unknown;
            else
                m_report.whereabouts = waiting > 0 ? Reconciliation::Whereabouts::Pending : Reconciliation::Whereabouts::Lost;
            readTables();
            return;
        }
        Reconciliation::Backlog *backlog = which == 0 ? &m_report.subscription : &m_report.deadLetterSubscription;
        const QString id = which == 0 ? m_settings.subscription : m_settings.deadLetterSubscription;
        backlog->subscription = m_pubsub->subscriptionPath(id);
        m_pubsub->getSubscription(id, this, [this, which, backlog](Result<PubSub::Subscription> found) {
            if (found) {
                backlog->messages = found->backlog;
            } else if (found.error().httpStatus == 404) {
                backlog->exists = false;
            } else {
                m_report.warnings.append(
                    u"cannot read the subscription %1, so its backlog is unknown: %2"_s.arg(backlog->subscription, found.error().message));
            }
            readBacklog(which + 1);
        });
    }

    Result<BigQuery::TableField> Reconciler::keyColumnOf(const Result<BigQuery::TableInfo> &info) const
    {
        const QString table = tableName(m_settings.table);
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

    void Reconciler::readTables()
    {
        setStage(Stage::Tables);
        m_bigquery->getTable(m_settings.dataset, m_settings.table, this, [this](Result<BigQuery::TableInfo> info) {
            Result<BigQuery::TableField> key = keyColumnOf(info);
            if (!key) {
                finish(key.error());
                return;
            }
            m_report.keyColumn = key->name;
            m_bigquery->getTable(m_settings.dataset, m_settings.errorTable, this, [this, key = *key](Result<BigQuery::TableInfo> errorTable) {
                if (!errorTable && errorTable.error().httpStatus != 404) {
                    finish(ApiError::unavailable(u"cannot read the error table %1: %2"_s.arg(m_report.errorTable, errorTable.error().message)));
                    return;
                }
                m_report.errorTableExists = bool(errorTable);
                lookUpTable(key);
            });
        });
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

    void Reconciler::lookUpTable(const BigQuery::TableField &keyField)
    {
        setStage(Stage::LookUp);
        m_lookUp = std::make_unique<LookUp>(m_run.path());
        if (Status opened = m_lookUp->reader.open(); !opened) {
            finish(opened.error());
            return;
        }
        const QString column = quotedColumn(keyField.name);
        // An INT64 key is compared as text, as the ids file holds it.
        m_lookUp->key = keyField.type == BigQuery::FieldType::String ? column : u"CAST(%1 AS STRING)"_s.arg(column);
        m_lookUp->table = u"`%1`"_s.arg(tableName(m_settings.table));
        pumpLookUp();
    }

    // Keeps concurrentQueries lookups in flight until the file ends or one fails, then goes on when all have answered.
    void Reconciler::pumpLookUp()
    {
        LookUp &lookUp = *m_lookUp;
        while (!lookUp.failure && !lookUp.endOfFile && lookUp.inFlight < m_settings.concurrentQueries)
            sendLookUp();
        if ((lookUp.failure || lookUp.endOfFile) && lookUp.inFlight == 0) {
            if (lookUp.failure)
                finish(*lookUp.failure);
            else
                tally();
        }
    }

    // The next chunk of event IDs not looked up yet, as one query; the end of the file or a bad line stops the pump.
    void Reconciler::sendLookUp()
    {
        LookUp &lookUp = *m_lookUp;
        QList<BigQuery::QueryParameter> parameters;
        QStringList placeholders;
        IdsLine line;
        quint32 index = 0;
        while (parameters.size() < m_settings.chunkSize) {
            Result<bool> more = nextEvent(lookUp.reader, &line, &index);
            if (!more) {
                lookUp.failure = more.error();
                return;
            }
            if (!*more)
                break;
            quint8 &flags = m_flags[index];
            if (flags & Queued)
                continue;
            flags |= Queued;
            BigQuery::QueryParameter parameter;
            parameter.name = u"id%1"_s.arg(parameters.size());
            parameter.value = QString::fromUtf8(line.eventId);
            placeholders.append(u"@"_s + parameter.name);
            parameters.append(std::move(parameter));
        }
        if (parameters.isEmpty()) {
            lookUp.endOfFile = true;
            return;
        }

        BigQuery::QueryRequest request;
        request.sql = u"SELECT %1 AS id, COUNT(*) AS n FROM %2 WHERE %1 IN (%3) GROUP BY 1"_s.arg(lookUp.key, lookUp.table, placeholders.join(u", "_s));
        request.parameters = std::move(parameters);
        request.pageSize = PageSize;
        const qsizetype ids = request.parameters.size();
        ++lookUp.inFlight;
        // Kept until every query has answered; a handler asks for its own next page.
        PageHandler *onPage = lookUp.handlers.emplace_back(std::make_unique<PageHandler>()).get();
        *onPage = [this, onPage, ids](Result<BigQuery::QueryPage> page) { handleLookUpPage(std::move(page), ids, onPage); };
        m_bigquery->query(request, this, *onPage);
    }

    void Reconciler::handleLookUpPage(Result<BigQuery::QueryPage> page, qsizetype ids, const PageHandler *self)
    {
        LookUp &lookUp = *m_lookUp;
        if (!page) {
            if (!lookUp.failure)
                lookUp.failure = ApiError::unavailable(u"cannot look event IDs up in %1: %2"_s.arg(tableName(m_settings.table), page.error().message));
        } else {
            for (const QVariantList &row : page->rows) {
                const std::optional<quint32> index = m_run.indexOfEvent(row.value(0).toString().toUtf8());
                if (index) {
                    const qint64 rows = row.value(1).toLongLong();
                    m_rows[*index] = quint32(std::clamp<qint64>(rows, 0, std::numeric_limits<quint32>::max()));
                }
            }
            if (page->hasMore()) {
                m_bigquery->nextQueryPage(*page, PageSize, this, *self);
                return;
            }
            m_lookedUp += ids;
            emit progressed();
        }
        --lookUp.inFlight;
        pumpLookUp();
    }

    void Reconciler::tally()
    {
        qint64 notInTable = 0;
        for (const quint32 rows : m_rows) {
            if (rows == 0) {
                ++notInTable;
                continue;
            }
            ++m_report.stored;
            if (rows > 1) {
                ++m_report.duplicated;
                m_report.extraRows += rows - 1;
            }
        }
        if (notInTable > 0 && m_report.errorTableExists) {
            scanErrorTable();
            return;
        }
        listEvents();
    }

    void Reconciler::scanErrorTable()
    {
        setStage(Stage::ErrorTable);
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

        m_errorPage = [this](Result<BigQuery::QueryPage> page) {
            if (!page) {
                finish(ApiError::unavailable(u"cannot read the error table %1: %2"_s.arg(m_report.errorTable, page.error().message)));
                return;
            }
            // The next page is on its way while this one is matched.
            if (page->hasMore())
                m_bigquery->nextQueryPage(*page, PageSize, this, m_errorPage);
            for (const QVariantList &row : page->rows)
                accountErrorRow(row);
            if (!page->hasMore())
                listEvents();
        };
        m_bigquery->query(request, this, m_errorPage);
    }

    // The missing event an error row is about, if any: by its message ID, else by the key in its payload.
    void Reconciler::accountErrorRow(const QVariantList &row)
    {
        const auto missingEventOf = [&](bool *byMessageId) -> std::optional<quint32> {
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
        bool byMessageId = true;
        const std::optional<quint32> index = missingEventOf(&byMessageId);
        if (!index || (m_flags[*index] & InErrorTable))
            return;
        m_flags[*index] |= InErrorTable;
        ++m_report.inErrorTable;
        if (m_errorDetails.size() < m_settings.maxListed)
            m_errorDetails.insert(*index, {row.value(1).toString(), byMessageId});
    }

    // Reads the ids file on this thread: it stops as soon as the lists are full, so it reads the whole file only
    // when an event to list is near its end.
    void Reconciler::listEvents()
    {
        setStage(Stage::Listing);
        Reconciliation &report = m_report;
        report.missing = m_run.eventCount() - report.stored - report.inErrorTable;
        const qsizetype max = m_settings.maxListed;
        const qint64 wantedMissing = std::min<qint64>(max, report.missing);
        const qint64 wantedErrors = std::min<qint64>(max, m_errorDetails.size());
        const qint64 wantedDuplicated = std::min<qint64>(max, report.duplicated);
        const auto listed = [&] {
            return report.missingList.size() >= wantedMissing && report.errorList.size() >= wantedErrors
                   && report.duplicatedList.size() >= wantedDuplicated;
        };
        if (listed()) {
            finish(std::move(report));
            return;
        }
        IdsFileReader reader(m_run.path());
        if (Status opened = reader.open(); !opened) {
            finish(opened.error());
            return;
        }
        IdsLine line;
        quint32 index = 0;
        while (!listed()) {
            Result<bool> more = nextEvent(reader, &line, &index);
            if (!more) {
                finish(more.error());
                return;
            }
            if (!*more)
                break;
            if (m_flags[index] & Listed)
                continue;
            m_flags[index] |= Listed;
            const quint32 rows = m_rows[index];
            const QString eventId = QString::fromUtf8(line.eventId);
            if (rows > 1 && report.duplicatedList.size() < wantedDuplicated) {
                report.duplicatedList.append({eventId, line.number, rows});
            } else if (rows == 0 && (m_flags[index] & InErrorTable)) {
                const auto detail = m_errorDetails.constFind(index);
                if (detail != m_errorDetails.cend())
                    report.errorList.append({eventId, QString::fromUtf8(line.messageId), line.number, detail->errorMessage, detail->byMessageId});
            } else if (rows == 0 && report.missingList.size() < wantedMissing) {
                report.missingList.append({eventId, QString::fromUtf8(line.messageId), line.number});
            }
        }
        finish(std::move(report));
    }
}
