// Client-side row decoding (core/bigquery/rowdecoder): cells/s decoded from the raw bytes of a jobs.query reply of
// the default events schema (DESIGN.md), parsing included, median of several runs. For comparison it also times
// the same rows parsed by QJsonDocument and decoded from the QJsonArray.
//   benchrowdecode [--rows 100000] [--runs 7] [--timestamps int64|float|rfc3339] [--bytes-only]
// One JSON line on stdout.
#include <algorithm>
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QThread>
#include <QUuid>

#include "core/bigquery/rowdecoder.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    const char *EVENT_TYPES[] = {"page_view", "click", "login", "form_submit", "purchase"};
    const char *SCHEMA = R"({"fields":[{"name":"event_id","type":"STRING","mode":"REQUIRED"},{"name":"event_type","type":"STRING","mode":"NULLABLE"},)"
                         R"({"name":"user_id","type":"STRING","mode":"NULLABLE"},{"name":"timestamp","type":"TIMESTAMP","mode":"REQUIRED"},)"
                         R"({"name":"event_data","type":"JSON","mode":"NULLABLE"},{"name":"message_id","type":"STRING","mode":"NULLABLE"},)"
                         R"({"name":"publish_time","type":"TIMESTAMP","mode":"NULLABLE"},{"name":"ingest_time","type":"TIMESTAMP","mode":"NULLABLE"}]})";
    constexpr int COLUMNS = 8;

    QByteArray timestampCell(qint64 micros, const QString &form)
    {
        if (form == u"float"_s)   // BigQuery's default, as the local cloud writes it
            return QString::number(double(micros) / 1e6, 'E', QLocale::FloatingPointShortest).replace(u"E+"_s, u"E"_s).toLatin1();
        if (form == u"rfc3339"_s)
            return Aq::Time::formatRfc3339Fixed(micros, 6).toLatin1();
        return QByteArray::number(micros);
    }

    // A jobs.query reply as BigQuery shapes it, every scalar a JSON string, JSON cells as escaped text.
    QByteArray reply(int rows, const QString &timestampForm)
    {
        QByteArray body;
        body.reserve(qsizetype(rows) * 480);
        body += R"({"kind":"bigquery#queryResponse","schema":)" + QByteArray(SCHEMA)
            + R"(,"jobReference":{"projectId":"bench","jobId":"job_bench","location":"US"},"totalRows":")" + QByteArray::number(rows) + R"(","rows":[)";
        auto *random = QRandomGenerator::global();
        const qint64 now = Aq::Time::nowMicros();
        for (int i = 0; i < rows; ++i) {
            const QByteArray id = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
            const qint64 ts = now - 86400000000LL + qint64(i) * 1000 + random->bounded(1000000);
            const QByteArray data = R"({\"page\":\"/products/)" + QByteArray::number(random->bounded(500))
                + R"(\",\"browser\":\"firefox\",\"country\":\"DE\",\"device\":\"desktop\",\"amount\":)" + QByteArray::number(random->bounded(10000) / 100.0)
                + R"(,\"items\":[{\"sku\":\"A)" + QByteArray::number(random->bounded(90)) + R"(\",\"qty\":2}]})";
            if (i)
                body += ',';
            body += R"({"f":[{"v":")" + id + R"("},{"v":")" + EVENT_TYPES[random->bounded(5)] + R"("},{"v":"user-)" + QByteArray::number(random->bounded(10000))
                + R"("},{"v":")" + timestampCell(ts, timestampForm) + R"("},{"v":")" + data + R"("},{"v":")" + QByteArray::number(9000000000000000LL + i)
                + R"("},{"v":")" + timestampCell(ts + 20000, timestampForm) + R"("},{"v":")" + timestampCell(ts + 150000, timestampForm) + R"("}]})";
        }
        body += R"(],"totalBytesProcessed":"0","jobComplete":true,"cacheHit":false})";
        return body;
    }

    double median(QList<double> values)
    {
        std::sort(values.begin(), values.end());
        const qsizetype n = values.size();
        return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{u"rows"_s, u"rows in the reply"_s, u"n"_s, u"100000"_s},
                       {u"runs"_s, u"timed runs (the median is reported)"_s, u"n"_s, u"7"_s},
                       {u"timestamps"_s, u"TIMESTAMP cell form: int64 (what BigQueryClient asks for), float (BigQuery's default) or rfc3339"_s,
                        u"form"_s, u"int64"_s},
                       {u"bytes-only"_s, u"skip the QJsonDocument comparison"_s}});
    parser.process(app);
    const int rows = parser.value(u"rows"_s).toInt();
    const int runs = qMax(1, parser.value(u"runs"_s).toInt());
    const bool compare = !parser.isSet(u"bytes-only"_s);
    const QString form = parser.value(u"timestamps"_s);
    if (rows <= 0 || (form != u"int64"_s && form != u"float"_s && form != u"rfc3339"_s)) {
        fprintf(stderr, "benchrowdecode: --rows must be positive and --timestamps one of int64, float, rfc3339\n");
        return 2;
    }
    const QByteArray body = reply(rows, form);
    const qint64 cells = qint64(rows) * COLUMNS;

    QList<double> bytesMs;
    QList<double> qjsonMs;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer timer;
        timer.start();
        const Aq::Result<Aq::BigQuery::DecodedReply> decoded = Aq::BigQuery::decodeReply(body);
        bytesMs.append(double(timer.nsecsElapsed()) / 1e6);
        if (!decoded || decoded->rows.size() != rows) {
            fprintf(stderr, "benchrowdecode: %s\n", decoded ? "wrong row count" : qPrintable(decoded.error().message));
            return 1;
        }

        if (!compare)
            continue;
        timer.restart();
        const QJsonObject document = QJsonDocument::fromJson(body).object();
        const QList<Aq::BigQuery::TableField> fields = Aq::BigQuery::TableSchema::fromJson(document.value(u"schema"_s))->fields;
        const Aq::Result<QList<QVariantList>> viaQt = Aq::BigQuery::decodeRows(fields, document.value(u"rows"_s).toArray());
        qjsonMs.append(double(timer.nsecsElapsed()) / 1e6);
        if (!viaQt || viaQt->size() != rows) {
            fprintf(stderr, "benchrowdecode: QJsonArray path failed\n");
            return 1;
        }
    }
    const double ms = median(bytesMs);
    QJsonObject result {{u"bench"_s, u"rowdecode"_s},
                        {u"schema"_s, u"events"_s},
                        {u"rows"_s, rows},
                        {u"cells"_s, cells},
                        {u"timestamps"_s, form},
                        {u"reply_bytes"_s, body.size()},
                        {u"runs"_s, runs},
                        {u"threads_available"_s, QThread::idealThreadCount()},
                        {u"bytes_ms_median"_s, qRound(ms * 10) / 10.0},
                        {u"bytes_ms_min"_s, qRound(*std::min_element(bytesMs.begin(), bytesMs.end()) * 10) / 10.0},
                        {u"cells_per_s"_s, qRound64(double(cells) / (ms / 1e3))},
                        {u"reply_mb_per_s"_s, qRound(double(body.size()) / 1e6 / (ms / 1e3) * 10) / 10.0}};
    if (compare) {
        const double qtMs = median(qjsonMs);
        result.insert(u"qjsonarray_ms_median"_s, qRound(qtMs * 10) / 10.0);
        result.insert(u"qjsonarray_cells_per_s"_s, qRound64(double(cells) / (qtMs / 1e3)));
    }
    printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    return 0;
}
