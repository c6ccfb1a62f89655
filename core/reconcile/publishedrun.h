#pragma once

#include <compare>
#include <optional>
#include <vector>

#include <QByteArrayView>
#include <QString>

#include "core/common/result.h"

namespace Aq::Reconcile
{
    // What a publish run sent, indexed from its ids file (aqueduct publish --ids-out) in one streaming pass: the
    // distinct event IDs and which event each message ID carried. IDs are kept as 128-bit digests (MD5; a
    // collision among a billion IDs has a probability below 1e-20), 16 bytes per event and 20 per line, so a run
    // of a million events takes about 40 MB; their text is read again from the file when it is needed.
    class PublishedRun
    {
    public:
        struct Digest
        {
            quint64 high = 0;
            quint64 low = 0;
            auto operator<=>(const Digest &) const = default;
        };
        static Digest digest(QByteArrayView id);

        // Reads and checks the whole file (errors name it and the line); lines without an event ID are counted.
        static Result<PublishedRun> read(const QString &path);

        QString path() const { return m_path; }
        qint64 lines() const { return m_lines; }                             // published messages
        qint64 linesWithoutEventId() const { return m_linesWithoutEventId; }
        qint64 eventCount() const { return qint64(m_events.size()); }        // distinct event IDs
        qint64 publishedMoreThanOnce() const { return m_publishedMoreThanOnce; }   // distinct IDs on several lines

        // An event's index (0 .. eventCount() - 1), by its ID or by the ID of a message that carried it.
        std::optional<quint32> indexOfEvent(QByteArrayView eventId) const;
        std::optional<quint32> indexOfMessage(QByteArrayView messageId) const;

    private:
        struct Message
        {
            Digest message;
            quint32 event = 0;
            bool operator<(const Message &other) const { return message < other.message; }
        };

        QString m_path;
        qint64 m_lines = 0;
        qint64 m_linesWithoutEventId = 0;
        qint64 m_publishedMoreThanOnce = 0;
        std::vector<Digest> m_events;       // sorted, distinct
        std::vector<Message> m_messages;    // sorted by message
    };
}
