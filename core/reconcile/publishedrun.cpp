#include "core/reconcile/publishedrun.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <QCryptographicHash>

#include "core/reconcile/idsfilereader.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Reconcile
{
    PublishedRun::Digest PublishedRun::digest(QByteArrayView id)
    {
        thread_local QCryptographicHash hash(QCryptographicHash::Md5);
        hash.reset();
        hash.addData(id);
        const QByteArrayView bytes = hash.resultView();
        Digest result;
        std::memcpy(&result.high, bytes.data(), sizeof result.high);
        std::memcpy(&result.low, bytes.data() + sizeof result.high, sizeof result.low);
        return result;
    }

    Result<PublishedRun> PublishedRun::read(const QString &path)
    {
        IdsFileReader reader(path);
        if (Status opened = reader.open(); !opened)
            return opened.error();
        PublishedRun run;
        run.m_path = path;
        // Per line with an event ID: (event, message), until the events are known.
        std::vector<std::pair<Digest, Digest>> lines;
        IdsLine line;
        while (true) {
            Result<bool> more = reader.next(&line);
            if (!more)
                return more.error();
            if (!*more)
                break;
            ++run.m_lines;
            if (line.eventId.isEmpty()) {
                ++run.m_linesWithoutEventId;
                continue;
            }
            if (lines.size() >= std::numeric_limits<quint32>::max())
                return ApiError::invalidArgument(u"%1: more than %2 events; split the file"_s.arg(path).arg(std::numeric_limits<quint32>::max()));
            lines.emplace_back(digest(line.eventId), digest(line.messageId));
        }

        std::vector<Digest> &events = run.m_events;
        events.reserve(lines.size());
        for (const auto &[event, message] : lines)
            events.push_back(event);
        std::sort(events.begin(), events.end());
        for (auto it = events.begin(); it != events.end();) {
            const auto next = std::upper_bound(it, events.end(), *it);
            if (next - it > 1)
                ++run.m_publishedMoreThanOnce;
            it = next;
        }
        events.erase(std::unique(events.begin(), events.end()), events.end());
        events.shrink_to_fit();

        run.m_messages.reserve(lines.size());
        for (const auto &[event, message] : lines) {
            const auto found = std::lower_bound(events.begin(), events.end(), event);
            run.m_messages.push_back({message, quint32(found - events.begin())});
        }
        std::sort(run.m_messages.begin(), run.m_messages.end());
        return run;
    }

    std::optional<quint32> PublishedRun::indexOfEvent(QByteArrayView eventId) const
    {
        const Digest wanted = digest(eventId);
        const auto found = std::lower_bound(m_events.begin(), m_events.end(), wanted);
        if (found == m_events.end() || *found != wanted)
            return std::nullopt;
        return quint32(found - m_events.begin());
    }

    std::optional<quint32> PublishedRun::indexOfMessage(QByteArrayView messageId) const
    {
        const Message wanted {digest(messageId), 0};
        const auto found = std::lower_bound(m_messages.begin(), m_messages.end(), wanted);
        if (found == m_messages.end() || found->message != wanted.message)
            return std::nullopt;
        return found->event;
    }
}
