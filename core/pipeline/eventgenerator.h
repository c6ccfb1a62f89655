#pragma once

#include <functional>
#include <optional>

#include <QByteArray>

#include "core/pipeline/eventrandom.h"
#include "core/pipeline/eventtemplate.h"

namespace Aq::Pipeline
{
    struct GeneratedEvent
    {
        QByteArray data;      // the event, compact JSON
        QByteArray eventId;   // its key field's value (empty when a template has none)
    };

    // Test events for `aqueduct publish` and the console's publisher: by default the seeds' events, else a
    // user's template (EventTemplate). Everything but the time comes from a seeded EventRandom, so a seed
    // repeats the whole sequence, UUIDs included.
    //
    // The seeds' event (about 300 bytes):
    //   {"event_id":"<uuid v4>","timestamp":"<now, RFC 3339 UTC>","event_type":"purchase","user_id":"user_42",
    //    "event_data":{"event_type":"purchase","user_id":"user_42","page":"/checkout","browser":"Firefox",
    //                  "country":"DE","device":"mobile","amount":59.99,"items":3}}
    // event_type is one of page_view, click, login, form_submit, purchase; amount and items only for purchases.
    class EventGenerator
    {
    public:
        using Clock = std::function<qint64()>;   // microseconds since the epoch

        // The seeds' events.
        explicit EventGenerator(quint64 seed);
        EventGenerator(EventTemplate eventTemplate, quint64 seed);

        // Fills `event`, reusing its buffers.
        void next(GeneratedEvent &event);
        GeneratedEvent next();

        quint64 seed() const { return m_seed; }
        qint64 generated() const { return m_generated; }
        const std::optional<EventTemplate> &eventTemplate() const { return m_template; }
        // Where "now" comes from (tests fix it); the system clock by default.
        void setClock(Clock clock);

    private:
        QByteArrayView now();
        void seedEvent(GeneratedEvent &event, QByteArrayView timestamp);

        std::optional<EventTemplate> m_template;
        quint64 m_seed = 0;
        EventRandom m_random;
        qint64 m_generated = 0;
        Clock m_clock;
        qint64 m_nowMillis = -1;
        QByteArray m_nowText;
    };
}
