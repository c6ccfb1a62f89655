#include "core/server/api/responsecache.h"

#include <QElapsedTimer>

namespace Aq::Server
{
    namespace
    {
        qint64 monotonicMs()
        {
            static QElapsedTimer timer = [] {
                QElapsedTimer t;
                t.start();
                return t;
            }();
            return timer.elapsed();
        }

        constexpr qint64 MaxStaleExtraMs = 10'000;
        constexpr qsizetype EntryOverheadBytes = 256;   // the hash node, the LRU node, the Entry
    }

    ResponseCache::ResponseCache(std::chrono::milliseconds ttl, qsizetype maxBytes, Clock clock)
        : m_ttl {ttl}
        , m_maxStaleMs {ttl.count() + MaxStaleExtraMs}
        , m_maxBytes {maxBytes}
        , m_clock {std::move(clock)}
    {
    }

    qint64 ResponseCache::now() const
    {
        return m_clock ? m_clock() : monotonicMs();
    }

    void ResponseCache::get(const QByteArray &key, const Fetch &fetch, Reply reply)
    {
        std::shared_ptr<Entry> &slot = m_entries[key];
        if (!slot) {
            slot = std::make_shared<Entry>();
            m_lru.push_front(key);
            slot->lruPosition = m_lru.begin();
        }
        const std::shared_ptr<Entry> entry = slot;
        touch(*entry);
        const qint64 age = entry->storedAtMs < 0 ? -1 : now() - entry->storedAtMs;
        if (age >= 0 && age < m_ttl.count()) {
            ++m_stats.hits;
            reply(entry->response, age);
            return;
        }
        if (entry->refreshing && age >= 0 && age < m_maxStaleMs) {
            ++m_stats.staleHits;
            reply(entry->response, age);
            return;
        }
        entry->waiting.append(std::move(reply));
        if (!entry->refreshing)
            refresh(key, fetch);
    }

    void ResponseCache::refresh(const QByteArray &key, const Fetch &fetch)
    {
        const std::shared_ptr<Entry> entry = m_entries.value(key);
        entry->refreshing = true;
        ++m_stats.fetches;
        std::weak_ptr<Entry> weak = entry;
        fetch([this, key, weak](HttpResponse response) {
            const std::shared_ptr<Entry> entry = weak.lock();
            if (!entry)
                return;   // cleared meanwhile
            entry->refreshing = false;
            const QList<Reply> waiting = std::exchange(entry->waiting, {});
            if (response.statusCode() < 500)
                store(key, response);
            else if (entry->storedAtMs < 0)
                forget(key);
            for (const Reply &reply : waiting)
                reply(response, 0);
        });
    }

    void ResponseCache::store(const QByteArray &key, const HttpResponse &response)
    {
        const auto it = m_entries.constFind(key);
        if (it == m_entries.constEnd())
            return;
        Entry &entry = **it;
        m_stats.bytes -= entry.bytes;
        entry.response = response;
        entry.storedAtMs = now();
        entry.bytes = EntryOverheadBytes + response.body().size() + key.size() + response.headers().byteSize();
        m_stats.bytes += entry.bytes;
        evict();
    }

    void ResponseCache::forget(const QByteArray &key)
    {
        const auto found = m_entries.find(key);
        if (found == m_entries.end())
            return;
        m_stats.bytes -= (*found)->bytes;
        m_lru.erase((*found)->lruPosition);
        m_entries.erase(found);
    }

    void ResponseCache::touch(Entry &entry)
    {
        if (entry.lruPosition != m_lru.begin())
            m_lru.splice(m_lru.begin(), m_lru, entry.lruPosition);
    }

    void ResponseCache::evict()
    {
        // From the least recently used end, never an entry that requests are waiting on.
        auto it = m_lru.end();
        while (m_stats.bytes > m_maxBytes && it != m_lru.begin()) {
            --it;
            const auto found = m_entries.find(*it);
            if ((*found)->refreshing)
                continue;
            m_stats.bytes -= (*found)->bytes;
            m_entries.erase(found);
            it = m_lru.erase(it);
        }
    }

    ResponseCache::Stats ResponseCache::stats() const
    {
        Stats stats = m_stats;
        stats.entries = m_entries.size();
        return stats;
    }

    void ResponseCache::clear()
    {
        m_entries.clear();
        m_lru.clear();
        m_stats.bytes = 0;
    }
}
