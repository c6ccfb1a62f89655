#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace Aq::Reconcile
{
    // What a reconciliation found (aqueduct verify, the console's Dead letters page): a publish run's events
    // against the table and the error table.
    //
    // Every event ID counts once, however many times it was published (the pipeline's insertId, the key
    // column's value, keeps one row). Of the `sent` events, `stored` have at least one row in the table
    // (`duplicated` of them more than one); the rest are in the error table (`inErrorTable`, accounted for) or
    // `missing`. The lists hold at most maxListed entries each; the counts are always complete.
    struct Reconciliation
    {
        // Where a missing event is. Pub/Sub cannot show whether one message is still in a subscription without
        // taking it, so this comes from the subscriptions' backlogs, read before the tables are: when the
        // backend tells them (the local cloud, an Aqueduct server) and both are zero, nothing is still on its way,
        // so a missing event is lost; when one is not zero, it may still arrive; when the backend does not tell
        // (Google Cloud, Google's emulator), it is unknown.
        enum class Whereabouts
        {
            Pending,   // not yet stored; the subscription's backlog is not zero
            Lost,      // not stored, and nothing is waiting in the subscription or its dead-letter subscription
            Unknown,   // the backend does not tell the backlog: still in flight, or lost
        };

        struct Backlog
        {
            QString subscription;   // full name
            bool exists = true;
            qint64 messages = -1;   // unacknowledged messages; -1 when the backend does not tell
        };

        struct Missing
        {
            QString eventId;
            QString messageId;      // the first line's
            qint64 line = 0;
        };

        struct Errored
        {
            QString eventId;
            QString messageId;      // the first line's
            qint64 line = 0;
            QString errorMessage;   // the error table's reason
            bool matchedByMessageId = true;   // else by the event ID in payloadString
        };

        struct Duplicated
        {
            QString eventId;
            qint64 line = 0;
            qint64 rows = 0;
        };

        QString idsFile;
        qint64 lines = 0;                   // published messages (lines of the ids file)
        qint64 linesWithoutEventId = 0;     // not checked: there is no ID to look up
        qint64 publishedMoreThanOnce = 0;   // distinct event IDs on more than one line

        QString table;        // project.dataset.table
        QString errorTable;
        bool errorTableExists = true;
        QString keyColumn;

        qint64 sent = 0;           // distinct event IDs
        qint64 stored = 0;         // with at least one row in the table
        qint64 duplicated = 0;     // with more than one row
        qint64 extraRows = 0;      // rows beyond the first, over all duplicated events
        qint64 inErrorTable = 0;   // not in the table, in the error table
        qint64 missing = 0;        // in neither

        Backlog subscription;
        Backlog deadLetterSubscription;
        Whereabouts whereabouts = Whereabouts::Unknown;

        int maxListed = 100;
        QList<Missing> missingList;           // in the file's order
        QList<Errored> errorList;             // in the file's order
        QList<Duplicated> duplicatedList;     // in the file's order

        QStringList warnings;   // what could not be read and was taken as unknown

        bool isComplete() const { return missing == 0 && duplicated == 0; }
        qint64 storedOnce() const { return stored - duplicated; }
        // Messages waiting in the two subscriptions; -1 when either is unknown.
        qint64 backlog() const;
        // At least this many missing events are lost: the missing ones beyond the backlog.
        qint64 lostAtLeast() const;
        // "lost", "pending", "unknown", as the JSON report and the text name them.
        static QString whereaboutsName(Whereabouts whereabouts);
        // Why a missing event is where it is, in words.
        QString whereaboutsText() const;
    };
}
