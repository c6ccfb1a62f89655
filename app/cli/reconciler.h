#pragma once

#include <QHash>
#include <QString>
#include <vector>

#include "app/cli/publishedrun.h"
#include "app/cli/reconciliation.h"
#include "core/bigquery/tableschema.h"
#include "core/common/result.h"

namespace Aq::BigQuery
{
    class BigQueryClient;
}

namespace Aq::PubSub
{
    class PubSubClient;
}

namespace Aq::Cli
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

    // Reconciles a publish run with the table and the error table, on the event loop of the calling thread:
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
    class Reconciler
    {
    public:
        Reconciler(BigQuery::BigQueryClient *bigquery, PubSub::PubSubClient *pubsub, const PublishedRun &run, ReconcilerSettings settings);

        // INVALID_ARGUMENT: the key column is not in the table; NOT_FOUND: the table does not exist; anything else
        // is a failure of the services.
        Result<Reconciliation> run();
        // Event IDs looked up in the table so far, for a progress line.
        qint64 lookedUp() const { return m_lookedUp; }

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

        // The next line of the ids file that has an event ID, and the event's index; false at the end.
        Result<bool> nextEvent(IdsFileReader &reader, IdsLine *line, quint32 *index) const;
        // What cannot be read is unknown, with a warning in the report.
        void readBacklogs(Reconciliation *report);
        // The key column as the table has it: a STRING or INT64.
        Result<BigQuery::TableField> keyColumn();
        Status lookUpTable(const BigQuery::TableField &keyField);
        Status scanErrorTable(Reconciliation *report);
        Status listEvents(Reconciliation *report);
        QString tableName(const QString &table) const;

        BigQuery::BigQueryClient *m_bigquery;
        PubSub::PubSubClient *m_pubsub;
        const PublishedRun &m_run;
        ReconcilerSettings m_settings;
        std::vector<quint32> m_rows;    // per event: rows in the table
        std::vector<quint8> m_flags;    // per event: Flag bits
        QHash<quint32, ErrorDetail> m_errorDetails;   // the first maxListed events found in the error table
        qint64 m_lookedUp = 0;
    };
}
