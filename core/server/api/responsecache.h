#pragma once

#include <chrono>
#include <functional>
#include <list>
#include <memory>

#include <QByteArray>
#include <QHash>
#include <QList>

#include "core/server/http/httpresponse.h"

namespace Aq::Server
{
    // The design's cache of ready-made response bodies for hot reads (/events first pages, /api/v1/{id}).
    //
    // A body younger than the TTL is served as it is. The first request after that starts one refresh and waits
    // for it; requests arriving while it runs get the previous body (so the backend sees at most one query per
    // key per TTL, whatever the request rate). A body older than maxStale is never served: those requests wait
    // for the refresh too. Failed refreshes (5xx) are handed to the waiting requests and not kept. The cache
    // holds at most maxBytes of bodies, evicting the least recently used.
    //
    // Lives on one thread (the HTTP server's) and takes no locks.
    class ResponseCache
    {
    public:
        using Clock = std::function<qint64()>;   // milliseconds, monotonic
        using Reply = std::function<void(const HttpResponse &response, qint64 ageMs)>;
        using Fetch = std::function<void(std::function<void(HttpResponse)> done)>;

        struct Stats
        {
            qint64 hits = 0;         // fresh bodies served
            qint64 staleHits = 0;    // previous bodies served while a refresh ran
            qint64 fetches = 0;      // refreshes started
            qsizetype entries = 0;
            qsizetype bytes = 0;
        };

        ResponseCache(std::chrono::milliseconds ttl, qsizetype maxBytes = 64 * 1024 * 1024, Clock clock = {});

        // Answers `reply` for `key` now or when `fetch` (called at most once per refresh) is done. reply gets the
        // response and its age in milliseconds.
        void get(const QByteArray &key, const Fetch &fetch, Reply reply);

        std::chrono::milliseconds ttl() const { return m_ttl; }
        Stats stats() const;
        void clear();

    private:
        struct Entry
        {
            HttpResponse response;
            qint64 storedAtMs = -1;          // -1: nothing stored yet
            qsizetype bytes = 0;
            bool refreshing = false;
            QList<Reply> waiting;
            std::list<QByteArray>::iterator lruPosition;
        };

        void refresh(const QByteArray &key, const Fetch &fetch);
        void store(const QByteArray &key, const HttpResponse &response);
        void touch(Entry &entry);
        void forget(const QByteArray &key);
        void evict();
        qint64 now() const;

        const std::chrono::milliseconds m_ttl;
        const qint64 m_maxStaleMs;
        const qsizetype m_maxBytes;
        Clock m_clock;
        QHash<QByteArray, std::shared_ptr<Entry>> m_entries;
        std::list<QByteArray> m_lru;   // front: most recently used
        Stats m_stats;
    };
}
