#include "core/pipeline/eventgenerator.h"

#include <array>
#include <charconv>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Pipeline
{
    namespace
    {
        constexpr std::array<const char *, 5> EventTypes {"page_view", "click", "login", "form_submit", "purchase"};
        constexpr std::array<const char *, 8> BrowsingPages {"/", "/home", "/products", "/products/", "/pricing", "/about", "/blog", "/search"};
        constexpr std::array<const char *, 3> FormPages {"/signup", "/contact", "/newsletter"};
        constexpr std::array<const char *, 5> Browsers {"Chrome", "Firefox", "Safari", "Edge", "Opera"};
        constexpr std::array<const char *, 10> Countries {"US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "AU", "NL"};
        constexpr std::array<const char *, 3> Devices {"desktop", "mobile", "tablet"};
        constexpr int Users = 1000;
        constexpr int Products = 100;

        template <std::size_t N>
        const char *pick(EventRandom &random, const std::array<const char *, N> &values)
        {
            return values[std::size_t(random.index(qsizetype(N)))];
        }

        void appendInteger(QByteArray &out, qint64 value)
        {
            char buffer[24];
            const std::to_chars_result end = std::to_chars(buffer, buffer + sizeof buffer, value);
            out.append(buffer, end.ptr - buffer);
        }
    }

    EventGenerator::EventGenerator(quint64 seed)
        : m_seed {seed}
        , m_random {seed}
    {
    }

    EventGenerator::EventGenerator(EventTemplate eventTemplate, quint64 seed)
        : m_template {std::move(eventTemplate)}
        , m_seed {seed}
        , m_random {seed}
    {
    }

    void EventGenerator::setClock(Clock clock)
    {
        m_clock = std::move(clock);
        m_nowMillis = -1;
    }

    // RFC 3339 with milliseconds, formatted once per millisecond however many events share it.
    QByteArrayView EventGenerator::now()
    {
        const qint64 micros = m_clock ? m_clock() : Time::nowMicros();
        const qint64 millis = micros / 1000;
        if (millis != m_nowMillis) {
            m_nowMillis = millis;
            m_nowText = Time::formatRfc3339Fixed(millis * 1000, 3).toLatin1();
        }
        return m_nowText;
    }

    GeneratedEvent EventGenerator::next()
    {
        GeneratedEvent event;
        next(event);
        return event;
    }

    void EventGenerator::next(GeneratedEvent &event)
    {
        event.data.clear();
        if (m_template) {
            const QByteArrayView timestamp = m_template->usesNow() ? now() : QByteArrayView();
            m_template->render(event.data, m_random, m_generated, timestamp, &event.eventId);
        } else {
            seedEvent(event, now());
        }
        ++m_generated;
    }

    void EventGenerator::seedEvent(GeneratedEvent &event, QByteArrayView timestamp)
    {
        QByteArray &out = event.data;
        out.reserve(320);
        out.append("{\"event_id\":\"");
        const qsizetype idStart = out.size();
        m_random.appendUuid(out);
        event.eventId = out.sliced(idStart, 36);
        const qsizetype typeIndex = m_random.index(qsizetype(EventTypes.size()));
        const char *eventType = EventTypes[std::size_t(typeIndex)];
        const qint64 user = m_random.between(1, Users);
        const char *browser = pick(m_random, Browsers);
        const char *country = pick(m_random, Countries);
        const char *device = pick(m_random, Devices);

        out.append("\",\"timestamp\":\"");
        out.append(timestamp);
        out.append("\",\"event_type\":\"");
        out.append(eventType);
        out.append("\",\"user_id\":\"user_");
        appendInteger(out, user);
        out.append("\",\"event_data\":{\"event_type\":\"");
        out.append(eventType);
        out.append("\",\"user_id\":\"user_");
        appendInteger(out, user);
        out.append("\",\"page\":\"");
        const QByteArrayView type(eventType);
        if (type == "login") {
            out.append("/login");
        } else if (type == "form_submit") {
            out.append(pick(m_random, FormPages));
        } else if (type == "purchase") {
            out.append("/checkout");
        } else {
            const QByteArrayView page = pick(m_random, BrowsingPages);
            out.append(page);
            if (page == "/products/")
                appendInteger(out, m_random.between(1, Products));
        }
        out.append("\",\"browser\":\"");
        out.append(browser);
        out.append("\",\"country\":\"");
        out.append(country);
        out.append("\",\"device\":\"");
        out.append(device);
        out.append('"');
        if (type == "purchase") {
            // Cents, so that the amount has exactly two decimals.
            const qint64 cents = m_random.between(499, 49999);
            out.append(",\"amount\":");
            appendInteger(out, cents / 100);
            out.append('.');
            out.append(char('0' + cents % 100 / 10));
            out.append(char('0' + cents % 10));
            out.append(",\"items\":");
            appendInteger(out, m_random.between(1, 10));
        }
        out.append("}}");
    }
}
