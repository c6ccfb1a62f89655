#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <QHash>
#include <QObject>
#include <QString>

#include "core/bigquery/bigquerytypes.h"
#include "core/bigquery/tableschema.h"
#include "core/common/result.h"
#include "core/reconcile/publishedrun.h"
#include "core/reconcile/reconciliation.h"

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::PubSub
{
    class PubSubClient;
}

namespace Aq::Reconcile
{
    class IdsFileReader;
    struct IdsLine;

    struct ReconcilerSettings
    {
        QString dataset;
        QString table;
        QString errorTable;
        QString keyColumn;
        QString subscription;
        QString deadLetterSubscription;
        // Event IDs per lookup query: `key IN (@id0, ..., @idN)`. The local cloud's SQL has no UNNEST of an array
        // parameter, and a list of named STRING parameters works the same on BigQuery (10,000 parameters at most).
        int chunkSize = 1000;
        int concurrentQueries = 4;
        int maxListed = 100;
    };

    // Reconciles a publish run with the table and the error table, asynchronously on the event loop of its thread
    // (start() returns at once; the callback gets the report):
    //  1. the backlogs of the subscription and its dead-letter subscription, first, so that "nothing is waiting"
    //     means every message was acknowledged before the tables were read, hence stored if it ever will be;
    //  2. the table, by key, a chunk of distinct event IDs per query (streamed from the ids file, a few queries
    //     at a time): `SELECT key, COUNT(*) ... WHERE key IN (@id0, ...) GROUP BY 1`;
    //  3. when some are not in the table, the error table, read once a page at a time (only the stacktrace, the
    //     errorMessage and the key in payloadString): a row accounts for a missing event when its stacktrace ends
    //     "(message ID)" with the ID of a message that carried the event, or, failing that, when its payloadString
    //     is JSON whose key field (event_id or id) is the event's ID: dead-lettered messages arrive there with a
    //     new message ID, and republished events with another;
    //  4. a last pass over the ids file for the listed IDs, in the file's order.
    // Memory: a few bytes per event besides PublishedRun's index; the ids file's text is never held whole.
    // Destroying the reconciler abandons a run: its callback is then never called.
    class Reconciler final : public QObject
    {
        Q_OBJECT

    public:
        enum class Stage
        {
            Idle,
            Backlogs,      // reading the subscriptions' backlogs
            Tables,        // reading the tables' schemas
            LookUp,        // looking the event IDs up in the table: lookedUp() of run().eventCount()
            ErrorTable,    // reading the error table
            Listing,       // reading the ids file again for the listed IDs
        };
        Q_ENUM(Stage)

        // INVALID_ARGUMENT: the key column is not in the table; NOT_FOUND: the table does not exist; anything else
        // is a failure of the services.
        using Callback = std::function<void(Result<Reconciliation>)>;

        Reconciler(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, PublishedRun run, ReconcilerSettings settings,
                   QObject *parent = nullptr);
        ~Reconciler() override;

        // Starts a run; `done` is called once, from this object's event loop, never from within start(). A run may
        // be started again once the last one has finished (aqueduct verify --wait does); not while one is running.
        void start(Callback done);
        bool isRunning() const { return m_stage != Stage::Idle; }
        Stage stage() const { return m_stage; }
        // Event IDs looked up in the table so far, for a progress line.
        qint64 lookedUp() const { return m_lookedUp; }
        const PublishedRun &run() const { return m_run; }

    Q_SIGNALS:
        // The stage changed, or another chunk of event IDs was looked up.
        void progressed();

    private:
        enum Flag : quint8
        {
            Queued = 1,          // looked up in the table
            InErrorTable = 2,
            Listed = 4,          // seen in the listing pass
        };

        struct ErrorDetail
        {
            QString errorMessage;
            bool byMessageId = true;
        };

        // The state of the lookup queries (step 2); the page handlers are kept until every query has answered.
        struct LookUp;

        void setStage(Stage stage);
        void finish(Result<Reconciliation> result);
        // The next line of the ids file that has an event ID, and the event's index; false at the end.
        Result<bool> nextEvent(IdsFileReader &reader, IdsLine *line, quint32 *index) const;
        // What cannot be read is unknown, with a warning in the report.
        void readBacklog(int which);
        void readTables();
        // The key column as the table has it: a STRING or INT64.
        Result<BigQuery::TableField> keyColumnOf(const Result<BigQuery::TableInfo> &info) const;
        void lookUpTable(const BigQuery::TableField &keyField);
        void pumpLookUp();
        void sendLookUp();
        void handleLookUpPage(Result<BigQuery::QueryPage> page, qsizetype ids, const std::function<void(Result<BigQuery::QueryPage>)> *self);
        void tally();
        void scanErrorTable();
        void accountErrorRow(const QVariantList &row);
        void listEvents();
        QString tableName(const QString &table) const;

        BigQuery::BigQueryClient *m_bigquery;
        PubSub::PubSubClient *m_pubsub;
        const PublishedRun m_run;
        const ReconcilerSettings m_settings;
        Callback m_done;
        Stage m_stage = Stage::Idle;
        Reconciliation m_report;
        std::vector<quint32> m_rows;    // per event: rows in the table
        std::vector<quint8> m_flags;    // per event: Flag bits
        QHash<quint32, ErrorDetail> m_errorDetails;   // the first maxListed events found in the error table
        std::unique_ptr<LookUp> m_lookUp;
        std::function<void(Result<BigQuery::QueryPage>)> m_errorPage;
        qint64 m_lookedUp = 0;
    };
}
