// Fills a running server's events table (the default schema) with N events through insertAll, for the hot-read
// benchmark (bench/run-serve-bench.sh): a million events in about half a minute on these machines, straight into the
// table rather than through Pub/Sub and the ingest pipeline (about 20,000 events/s, and not what is measured there).
//   seedevents --endpoint http://127.0.0.1:8080 [--events 1000000] [--batch 20000] [--in-flight 3] [--days 7]
//              [--seed 1] [--project aqueduct-local] [--dataset analytics] [--table events]
// Events: UUID v4 event_ids (also the insertIds, as the pipeline does it), seven event types, 100,000 user_ids,
// timestamps spread evenly over the last --days days and rising with the row number as a live stream is stored
// (within a minute of jitter; RFC 3339, microseconds), event_data objects of about 200 to 400 bytes shaped by the
// type. A request is cut at --batch rows or 9 MB, under the local cloud's 10 MB limit. The same --seed gives the
// same events (but for the times). Prints one JSON line: rows/s from the first request sent to the last reply (body
// building included), the table's COUNT(*) afterwards, and the newest event's id (an id /api/v1/{id} finds).
#include <cstdio>
#include <ctime>
#include <limits>
#include <random>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>

#include "benchclient.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    constexpr qsizetype MaxBodyBytes = 9 * 1024 * 1024;

    template<size_t N>
    const char *pick(std::mt19937_64 &random, const char *const (&choices)[N])
    {
        return choices[random() % N];
    }

    class EventRows
    {
    public:
        EventRows(quint64 seed, qint64 nowMicros, qint64 spanMicros, qint64 total)
            : m_random {seed}
            , m_now {nowMicros}
            , m_span {spanMicros}
            , m_total {qMax<qint64>(1, total)}
        {
        }

        // Appends one insertAll row ({"insertId":..., "json":{...}}) to `body`.
        void append(QByteArray &body)
        {
            const QByteArray id = uuid();
            const char *type = pick(m_random, Types);
            // A live stream's order: event times rise with the row number across the span, a minute of jitter.
            const qint64 ts = qMin(m_now, m_now - m_span + m_span / m_total * m_rows + m_span % m_total * m_rows / m_total) - qint64(m_random() % 60'000'000);
            const qint64 published = ts + qint64(m_random() % 2'000'000);
            const qint64 ingested = published + 50'000 + qint64(m_random() % 450'000);
            if (ts > m_newestTs) {
                m_newestTs = ts;
                m_newestId = id;
            }
            const qsizetype before = body.size();
            body += "{\"insertId\":\"" + id + "\",\"json\":{\"event_id\":\"" + id + "\",\"event_type\":\"" + type + "\",\"user_id\":\"user_"
                + QByteArray::number(m_random() % 100'000) + "\",\"timestamp\":\"" + rfc3339(ts) + "\",\"event_data\":";
            const qsizetype dataStart = body.size();
            eventData(body, type);
            m_eventDataBytes += body.size() - dataStart;
            body += ",\"message_id\":\"" + QByteArray::number(10'000'000'000'000 + m_rows) + "\",\"publish_time\":\"" + rfc3339(published)
                + "\",\"ingest_time\":\"" + rfc3339(ingested) + "\"}}";
            m_rowBytes += body.size() - before;
            ++m_rows;
        }

        qint64 rows() const { return m_rows; }
        qint64 averageEventDataBytes() const { return m_rows ? m_eventDataBytes / m_rows : 0; }
        qint64 averageRowBytes() const { return m_rows ? m_rowBytes / m_rows : 0; }
        const QByteArray &newestId() const { return m_newestId; }

    private:
        static constexpr const char *Types[] = {"page_view", "page_view", "page_view", "click", "click", "login", "form_submit", "purchase",
                                                "add_to_cart", "signup"};
        static constexpr const char *Pages[] = {"/", "/products", "/products/espresso-machine", "/products/grinder", "/cart", "/checkout",
                                                "/account", "/blog/cold-brew-guide", "/search", "/pricing"};
        static constexpr const char *Browsers[] = {"Chrome", "Chrome", "Firefox", "Safari", "Edge"};
        static constexpr const char *Systems[] = {"Windows", "macOS", "Linux", "Android", "iOS"};
        static constexpr const char *Countries[] = {"US", "GB", "DE", "FR", "IN", "BR", "JP", "CA"};
        static constexpr const char *Devices[] = {"desktop", "mobile", "tablet"};
        static constexpr const char *Referrers[] = {"https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/", "direct",
                                                    "https://www.bing.com/"};
        static constexpr const char *Forms[] = {"newsletter", "contact", "signup", "checkout_address"};
        static constexpr const char *Methods[] = {"password", "google", "github", "magic_link"};
        static constexpr const char *Currencies[] = {"USD", "EUR", "GBP"};

        QByteArray hex(int digits)
        {
            static const char Digits[] = "0123456789abcdef";
            QByteArray out(digits, Qt::Uninitialized);
            quint64 bits = m_random();
            for (int i = 0; i < digits; ++i) {
                if (i == 16)
                    bits = m_random();
                out[i] = Digits[bits & 15];
                bits >>= 4;
            }
            return out;
        }

        QByteArray uuid()
        {
            QByteArray h = hex(32);
            h[12] = '4';                              // version 4
            h[16] = "89ab"[m_random() & 3];           // variant 10xx
            return h.left(8) + '-' + h.mid(8, 4) + '-' + h.mid(12, 4) + '-' + h.mid(16, 4) + '-' + h.mid(20);
        }

        static QByteArray rfc3339(qint64 micros)
        {
            const time_t seconds = time_t(micros / 1'000'000);
            tm parts {};
            gmtime_r(&seconds, &parts);
            char text[40];
            const int n = snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                                   parts.tm_hour, parts.tm_min, parts.tm_sec, static_cast<long long>(micros % 1'000'000));
            return QByteArray(text, n);
        }

        void eventData(QByteArray &body, const char *type)
        {
            const QByteArray t(type);
            body += "{\"page\":\"" + QByteArray(pick(m_random, Pages)) + "\",\"referrer\":\"" + pick(m_random, Referrers) + "\",\"browser\":\""
                + pick(m_random, Browsers) + "\",\"browser_version\":\"" + QByteArray::number(100 + m_random() % 25) + ".0\",\"os\":\""
                + pick(m_random, Systems) + "\",\"country\":\"" + pick(m_random, Countries) + "\",\"device\":\"" + pick(m_random, Devices)
                + "\",\"session_id\":\"" + hex(16) + "\",\"screen\":{\"width\":" + QByteArray::number(360 + m_random() % 2200)
                + ",\"height\":" + QByteArray::number(640 + m_random() % 800) + '}';
            if (t == "purchase" || t == "add_to_cart") {
                const int items = 1 + int(m_random() % 5);
                body += ",\"order_id\":\"ord_" + hex(12) + "\",\"currency\":\"" + pick(m_random, Currencies) + "\",\"items\":[";
                for (int i = 0; i < items; ++i) {
                    if (i)
                        body += ',';
                    body += "{\"sku\":\"SKU-" + QByteArray::number(1000 + m_random() % 9000) + "\",\"qty\":" + QByteArray::number(1 + m_random() % 3)
                        + ",\"price\":" + QByteArray::number(double(500 + m_random() % 20000) / 100.0, 'f', 2) + '}';
                }
                body += "],\"amount\":" + QByteArray::number(double(500 + m_random() % 50000) / 100.0, 'f', 2);
            } else if (t == "click") {
                body += ",\"element\":\"#cta-" + QByteArray::number(m_random() % 40) + "\",\"x\":" + QByteArray::number(m_random() % 1920)
                    + ",\"y\":" + QByteArray::number(m_random() % 1080);
            } else if (t == "login") {
                body += ",\"method\":\"" + QByteArray(pick(m_random, Methods)) + "\",\"success\":" + (m_random() % 10 ? "true" : "false");
            } else if (t == "form_submit" || t == "signup") {
                body += ",\"form\":\"" + QByteArray(pick(m_random, Forms)) + "\",\"fields\":" + QByteArray::number(2 + m_random() % 8)
                    + ",\"duration_ms\":" + QByteArray::number(m_random() % 60000);
            } else {
                body += ",\"title\":\"Aqueduct Coffee - page " + QByteArray::number(m_random() % 500) + "\",\"load_ms\":"
                    + QByteArray::number(80 + m_random() % 3000);
            }
            body += '}';
        }

        std::mt19937_64 m_random;
        qint64 m_now;
        qint64 m_span;
        qint64 m_total;
        qint64 m_rows = 0;
        qint64 m_eventDataBytes = 0;
        qint64 m_rowBytes = 0;
        qint64 m_newestTs = std::numeric_limits<qint64>::min();
        QByteArray m_newestId;
    };
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOptions({{u"endpoint"_s, u"server base URL"_s, u"url"_s},
                       {u"events"_s, u"events to insert"_s, u"n"_s, u"1000000"_s},
                       {u"batch"_s, u"rows per insertAll request at most (also cut at 9 MB)"_s, u"n"_s, u"20000"_s},
                       {u"in-flight"_s, u"requests in flight"_s, u"n"_s, u"3"_s},
                       {u"days"_s, u"timestamps spread over the last N days"_s, u"n"_s, u"7"_s},
                       {u"seed"_s, u"random seed (ids, users, event data)"_s, u"n"_s, u"1"_s},
                       {u"project"_s, u"project"_s, u"id"_s, u"aqueduct-local"_s},
                       {u"dataset"_s, u"dataset"_s, u"id"_s, u"analytics"_s},
                       {u"table"_s, u"table"_s, u"id"_s, u"events"_s}});
    parser.process(app);
    if (!parser.isSet(u"endpoint"_s)) {
        fprintf(stderr, "seedevents: --endpoint is required\n");
        return 2;
    }
    const qint64 total = parser.value(u"events"_s).toLongLong();
    const int batch = qMax(1, parser.value(u"batch"_s).toInt());
    const QString project = parser.value(u"project"_s);
    const QString dataset = parser.value(u"dataset"_s);
    const QString table = parser.value(u"table"_s);
    const QString tablePath = u"/bigquery/v2/projects/%1/datasets/%2/tables/%3"_s.arg(project, dataset, table);

    BenchClient client(QUrl(parser.value(u"endpoint"_s)));
    const int inFlight = qMax(1, parser.value(u"in-flight"_s).toInt());
    client.allowInFlight(inFlight);
    if (const auto found = client.call("GET", tablePath); found.status != 200) {
        fprintf(stderr, "seedevents: no table %s.%s at %s (HTTP %d): %s\n", qPrintable(dataset), qPrintable(table), qPrintable(parser.value(u"endpoint"_s)),
                found.status, found.body.left(300).constData());
        return 1;
    }

    const qint64 nowMicros = QDateTime::currentMSecsSinceEpoch() * 1000;
    EventRows rows(parser.value(u"seed"_s).toULongLong(), nowMicros, qMax<qint64>(1, parser.value(u"days"_s).toLongLong()) * 86'400'000'000, total);
    qint64 inserted = 0;
    qint64 requests = 0;
    int failures = 0;
    const QString insertPath = tablePath + u"/insertAll"_s;
    const double seconds = client.drive(
        inFlight,
        [&]() -> QNetworkReply * {
            if (rows.rows() >= total)
                return nullptr;
            QByteArray body;
            body.reserve(qMin<qint64>(MaxBodyBytes + 8192, qMin<qint64>(batch, total - rows.rows()) * 1024));
            body += "{\"rows\":[";
            int count = 0;
            while (count < batch && rows.rows() < total && body.size() < MaxBodyBytes) {
                if (count++)
                    body += ',';
                rows.append(body);
            }
            body += "]}";
            ++requests;
            QNetworkReply *reply = client.send("POST", insertPath, body);
            reply->setProperty("rows", count);
            return reply;
        },
        [&](QNetworkReply *reply) {
            const QByteArray answer = reply->readAll();
            if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200 && !answer.contains("insertErrors"))
                inserted += reply->property("rows").toInt();
            else if (failures++ == 0)
                fprintf(stderr, "seedevents: insertAll failed: %s %s\n", qPrintable(reply->errorString()), answer.left(300).constData());
        });

    // What the table holds now (earlier rows included), through the same query route the server's reads use.
    const QByteArray count = "{\"query\":\"SELECT COUNT(*) FROM `" + project.toUtf8() + '.' + dataset.toUtf8() + '.' + table.toUtf8()
        + "`\",\"useLegacySql\":false,\"timeoutMs\":60000}";
    const auto counted = client.call("POST", u"/bigquery/v2/projects/%1/queries"_s.arg(project), count);
    const QJsonArray countRows = counted.json().value(u"rows"_s).toArray();
    const qint64 tableRows = countRows.isEmpty() ? -1 : countRows[0].toObject().value(u"f"_s).toArray()[0].toObject().value(u"v"_s).toString().toLongLong();
    printf("{\"events\":%lld,\"inserted\":%lld,\"failures\":%d,\"requests\":%lld,\"in_flight\":%d,\"seconds\":%.3f,\"rows_per_s\":%.0f,"
           "\"avg_row_bytes\":%lld,\"avg_event_data_bytes\":%lld,\"table_rows\":%lld,\"newest_event_id\":\"%s\"}\n",
           static_cast<long long>(total), static_cast<long long>(inserted), failures, static_cast<long long>(requests), inFlight, seconds,
           double(inserted) / seconds, static_cast<long long>(rows.averageRowBytes()), static_cast<long long>(rows.averageEventDataBytes()),
           static_cast<long long>(tableRows), rows.newestId().constData());
    fflush(stdout);
    return failures == 0 && inserted == total ? 0 : 1;
}
