#include <cmath>

#include <QDate>
#include <QTest>

#include "core/bigquery/queryparameter.h"
#include "core/bigquery/rowdecoder.h"
#include "core/common/timeutil.h"
#include "tests/localcloud/localcloudtestclient.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::DecodedReply;
using Aq::BigQuery::TableField;
using Aq::BigQuery::Timestamp;

// The decoder against what our own BigQuery stand-in writes: every type, every TIMESTAMP form, through
// tabledata.list and jobs.query, and query parameters serialised by QueryParameter and read by its SQL.
namespace
{
    const QString B = u"/bigquery/v2/projects/p1"_s;

    const char *TABLE = R"({"tableReference":{"tableId":"t1"},"schema":{"fields":[
        {"name":"id","type":"INT64","mode":"REQUIRED"},
        {"name":"s","type":"STRING"},{"name":"by","type":"BYTES"},{"name":"f","type":"FLOAT64"},
        {"name":"n","type":"NUMERIC"},{"name":"bn","type":"BIGNUMERIC"},{"name":"b","type":"BOOL"},
        {"name":"ts","type":"TIMESTAMP"},{"name":"d","type":"DATE"},{"name":"t","type":"TIME"},{"name":"dt","type":"DATETIME"},
        {"name":"g","type":"GEOGRAPHY"},{"name":"j","type":"JSON"},
        {"name":"tags","type":"STRING","mode":"REPEATED"},
        {"name":"attrs","type":"RECORD","mode":"REPEATED","fields":[{"name":"key","type":"STRING"},{"name":"when","type":"TIMESTAMP"}]},
        {"name":"rec","type":"RECORD","fields":[{"name":"when","type":"TIMESTAMP"},{"name":"nums","type":"INT64","mode":"REPEATED"},
                                               {"name":"inner","type":"RECORD","fields":[{"name":"d","type":"DATE"}]}]}]}})";

    const char *ROWS = R"json({"rows":[
        {"json":{"id":1,"s":"hé \"llo\"","by":"AAEC/w==","f":1.5,"n":"12345678901234567890.123456789",
                 "bn":"-12345678901234567890123456789012345678.12345678901234567890123456789012345678","b":true,
                 "ts":"2024-05-01T12:00:00.123456Z","d":"2024-05-01","t":"12:34:56.5","dt":"2024-05-01 12:34:56.000001",
                 "g":"POINT(1 2)","j":{"x":1,"y":[true,null]},"tags":["a","b"],
                 "attrs":[{"key":"k1","when":"2024-05-01T00:00:00.000001Z"},{"key":null}],
                 "rec":{"when":"1969-12-31T23:59:59.999999Z","nums":[7,"8"],"inner":{"d":"0001-01-01"}}}},
        {"json":{"id":2}},
        {"json":{"id":3,"f":"Infinity","j":"\"text\"","rec":{"nums":[]},"attrs":[]}},
        {"json":{"id":4,"f":"-Infinity","b":false,"n":"-0.5","j":"null","ts":"9999-12-31T23:59:59.999999Z"}}]})json";

    QVariant ts(qint64 micros)
    {
        return QVariant::fromValue(Timestamp {micros});
    }

    QList<QVariantList> expectedRows()
    {
        const QVariant null;
        return {
            {qint64(1), u"hé \"llo\""_s, QByteArray("\x00\x01\x02\xff", 4), 1.5, u"12345678901234567890.123456789"_s,
             u"-12345678901234567890123456789012345678.12345678901234567890123456789012345678"_s, true, ts(1714564800123456),
             QDate(2024, 5, 1), u"12:34:56.5"_s, u"2024-05-01T12:34:56.000001"_s, u"POINT(1 2)"_s,
             QVariant(QJsonValue(QJsonObject {{u"x"_s, 1}, {u"y"_s, QJsonArray {true, QJsonValue::Null}}})), QVariantList {u"a"_s, u"b"_s},
             QVariantList {QVariantList {u"k1"_s, ts(1714521600000001)}, QVariantList {null, null}},
             QVariantList {ts(-1), QVariantList {qint64(7), qint64(8)}, QVariantList {QDate(1, 1, 1)}}},
            {qint64(2), null, null, null, null, null, null, null, null, null, null, null, null, QVariantList(), QVariantList(), null},
            {qint64(3), null, null, std::numeric_limits<double>::infinity(), null, null, null, null, null, null, null, null, QVariant(QJsonValue(u"text"_s)), QVariantList(),
             QVariantList(), QVariantList {null, QVariantList(), null}},
            {qint64(4), null, null, -std::numeric_limits<double>::infinity(), u"-0.5"_s, null, false, ts(253402300799999999), null, null, null, null,
             QVariant(QJsonValue(QJsonValue::Null)), QVariantList(), QVariantList(), null},
        };
    }

    // NaN is never equal to itself: compared by kind
    void compareRows(const QList<QVariantList> &actual, const QList<QVariantList> &expected, const QString &what)
    {
        QCOMPARE(actual.size(), expected.size());
        for (qsizetype r = 0; r < expected.size(); ++r) {
            QCOMPARE(actual[r].size(), expected[r].size());
            for (qsizetype c = 0; c < expected[r].size(); ++c) {
                const QVariant &a = actual[r][c];
                const QVariant &e = expected[r][c];
                const bool nan = e.metaType() == QMetaType::fromType<double>() && std::isnan(e.toDouble());
                const bool same = nan ? (a.metaType() == e.metaType() && std::isnan(a.toDouble())) : (a == e && a.metaType() == e.metaType());
                if (!same) {
                    QDebug(QtWarningMsg) << what << "row" << r << "column" << c << "got" << a << "expected" << e;
                    QFAIL("a decoded cell differs");
                }
            }
        }
    }

    DecodedReply decoded(const LocalCloudTestClient::Reply &reply, const QList<TableField> *fields = nullptr)
    {
        if (reply.status != 200)
            qWarning("HTTP %d: %s", reply.status, reply.body.constData());
        Aq::Result<DecodedReply> result = fields ? Aq::BigQuery::decodeReply(reply.body, *fields) : Aq::BigQuery::decodeReply(reply.body);
        if (!result) {
            qWarning("%s", qPrintable(result.error().message));
            return {};
        }
        return result.value();
    }
}

class TestRowDecoderLocalCloud final : public QObject
{
    Q_OBJECT

private:
    QList<TableField> createTable(LocalCloudTestClient &client)
    {
        client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})"));
        const auto created = client.call("POST", B + u"/datasets/ds/tables"_s, QByteArray(TABLE));
        if (created.status != 200)
            qFatal("cannot create the table: %s", created.body.constData());
        return Aq::BigQuery::TableSchema::fromJson(created.json()[u"schema"_s]).value().fields;
    }

private slots:
    void testEveryTypeInEveryTimestampFormAgrees()
    {
        LocalCloudTestClient client;
        const QList<TableField> fields = createTable(client);
        const auto inserted = client.call("POST", B + u"/datasets/ds/tables/t1/insertAll"_s, QByteArray(ROWS));
        QVERIFY2(inserted.status == 200 && !inserted.json().contains(u"insertErrors"_s), inserted.body.constData());

        const QList<QPair<QString, QString>> listForms {
            {u"tabledata.list, float seconds"_s, u""_s},
            {u"tabledata.list, int64 micros"_s, u"&formatOptions.useInt64Timestamp=true"_s},
            {u"tabledata.list, RFC 3339"_s, u"&formatOptions.timestampOutputFormat=ISO8601_STRING"_s},
        };
        for (const auto &[what, options] : listForms) {
            const auto reply = client.call("GET", B + u"/datasets/ds/tables/t1/data?maxResults=10"_s + options);
            const DecodedReply page = decoded(reply, &fields);
            compareRows(page.rows, expectedRows(), what);
            if (QTest::currentTestFailed())
                return;
            QCOMPARE(page.other.value(u"totalRows"_s).toString(), u"4"_s);
            // the QJsonArray entry point agrees (NaN aside, compared by compareRows)
            const auto viaArray = Aq::BigQuery::decodeRows(fields, reply.json()[u"rows"_s].toArray());
            QVERIFY(viaArray);
            compareRows(viaArray.value(), expectedRows(), what + u" (QJsonArray)"_s);
        }

        const QList<QPair<QString, QJsonObject>> queryForms {
            {u"jobs.query, float seconds"_s, {}},
            {u"jobs.query, int64 micros"_s, QJsonObject {{u"useInt64Timestamp"_s, true}}},
            {u"jobs.query, RFC 3339"_s, QJsonObject {{u"timestampOutputFormat"_s, u"ISO8601_STRING"_s}}},
        };
        for (const auto &[what, formatOptions] : queryForms) {
            QJsonObject request {{u"query"_s, u"SELECT * FROM ds.t1 ORDER BY id"_s}, {u"useLegacySql"_s, false}};
            if (!formatOptions.isEmpty())
                request.insert(u"formatOptions"_s, formatOptions);
            const DecodedReply result = decoded(client.call("POST", B + u"/queries"_s, request));
            QCOMPARE(result.fields, fields);   // the reply's schema, legacy names and all, reads back the same
            compareRows(result.rows, expectedRows(), what);
            if (QTest::currentTestFailed())
                return;
            QCOMPARE(result.other.value(u"jobComplete"_s).toBool(), true);
            QVERIFY(result.other.value(u"jobReference"_s).toObject().contains(u"jobId"_s));
        }
    }

    void testNaN()
    {
        // The decoder reads "NaN" (testrowdecoder), and the local cloud keeps it (SQLite alone would store NULL).
        LocalCloudTestClient client;
        client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})"));
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables"_s,
                             QByteArray(R"({"tableReference":{"tableId":"f"},"schema":{"fields":[{"name":"f","type":"FLOAT64"}]}})"))
                     .status,
                 200);
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables/f/insertAll"_s, QByteArray(R"({"rows":[{"json":{"f":"NaN"}}]})")).status, 200);
        const QList<TableField> fields = Aq::BigQuery::TableSchema::fromJson(client.call("GET", B + u"/datasets/ds/tables/f"_s).json()[u"schema"_s])->fields;
        const DecodedReply page = decoded(client.call("GET", B + u"/datasets/ds/tables/f/data"_s), &fields);
        QCOMPARE(page.rows.size(), 1);
        QVERIFY(std::isnan(page.rows[0][0].toDouble()) && page.rows[0][0].isValid());
        const QJsonObject query {{u"query"_s, u"SELECT f FROM ds.f"_s}, {u"useLegacySql"_s, false}};
        const DecodedReply result = decoded(client.call("POST", B + u"/queries"_s, query));
        QCOMPARE(result.rows.size(), 1);
        QVERIFY(std::isnan(result.rows[0][0].toDouble()) && result.rows[0][0].isValid());
    }

    void testMicrosecondTimestampsSurviveTheFloatForm()
    {
        // BigQuery's default float seconds ("1.714564800123456E9") carry every microsecond for today's dates
        LocalCloudTestClient client;
        client.call("POST", B + u"/datasets"_s, QByteArray(R"({"datasetReference":{"datasetId":"ds"}})"));
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables"_s,
                             QByteArray(R"({"tableReference":{"tableId":"times"},"schema":{"fields":[{"name":"i","type":"INT64"},{"name":"ts","type":"TIMESTAMP"}]}})"))
                     .status,
                 200);
        QList<qint64> instants;
        QJsonArray rows;
        quint64 state = 0x9E3779B97F4A7C15ULL;
        for (int i = 0; i < 1000; ++i) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            const qint64 micros = qint64(state % 4102444800000000ULL);   // 1970 to 2100
            instants.append(micros);
            rows.append(QJsonObject {{u"json"_s, QJsonObject {{u"i"_s, i}, {u"ts"_s, Aq::Time::formatRfc3339Fixed(micros, 6)}}}});
        }
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables/times/insertAll"_s, QJsonObject {{u"rows"_s, rows}}).status, 200);
        const QList<TableField> fields = Aq::BigQuery::TableSchema::fromJson(client.call("GET", B + u"/datasets/ds/tables/times"_s).json()[u"schema"_s])->fields;
        const DecodedReply page = decoded(client.call("GET", B + u"/datasets/ds/tables/times/data?maxResults=1000"_s), &fields);
        QCOMPARE(page.rows.size(), instants.size());
        for (qsizetype i = 0; i < instants.size(); ++i) {
            QCOMPARE(page.rows[i][0].toLongLong(), qint64(i));
            QCOMPARE(page.rows[i][1].value<Timestamp>().microsSinceEpoch, instants[i]);
        }
    }

    void testQueryParametersReachTheQueryAndComeBack()
    {
        LocalCloudTestClient client;
        const QList<TableField> tableFields = createTable(client);
        QCOMPARE(client.call("POST", B + u"/datasets/ds/tables/t1/insertAll"_s, QByteArray(ROWS)).status, 200);
        const auto parameters = Aq::BigQuery::parseQueryParameters({
            u"s::héllo:world"_s, u"i:INT64:-9223372036854775808"_s, u"f:FLOAT64:1.5e3"_s, u"n:NUMERIC:1.50e2"_s, u"b:BOOL:TRUE"_s,
            u"ts:TIMESTAMP:2024-05-01 14:00:00.000001+02:00"_s, u"d:DATE:2024-5-1"_s, u"dt:DATETIME:2024-05-01 12:34"_s, u"t:TIME:01:02:03.5"_s,
            u"bin:BYTES:AAEC"_s, u"nul:STRING:NULL"_s, u"since:TIMESTAMP:2024-05-01T12:00:00.123456Z"_s,
        });
        QVERIFY2(parameters, parameters ? "" : qPrintable(parameters.error().message));
        QJsonObject request {
            {u"query"_s, u"SELECT @s AS s, @i AS i, @f AS f, @n AS n, @b AS b, @ts AS ts, @d AS d, @dt AS dt, @t AS t, @bin AS bin, @nul AS nul"_s},
            {u"useLegacySql"_s, false},
            {u"parameterMode"_s, u"NAMED"_s},
            {u"queryParameters"_s, Aq::BigQuery::queryParametersToJson(*parameters)},
        };
        const DecodedReply values = decoded(client.call("POST", B + u"/queries"_s, request));
        QCOMPARE(values.rows.size(), 1);
        const QVariantList expected {u"héllo:world"_s, std::numeric_limits<qint64>::min(), 1500.0, u"150"_s, true, ts(1714564800000001),
                                     QDate(2024, 5, 1), u"2024-05-01T12:34:00"_s, u"01:02:03.5"_s, QByteArray("\x00\x01\x02", 3), QVariant()};
        compareRows(values.rows, {expected}, u"parameters"_s);
        QCOMPARE(values.fields.size(), expected.size());

        // a parameter in a WHERE clause against stored microseconds: only the row strictly after it
        request[u"query"_s] = u"SELECT id FROM ds.t1 WHERE ts > @since ORDER BY id"_s;
        const DecodedReply filtered = decoded(client.call("POST", B + u"/queries"_s, request));
        compareRows(filtered.rows, {{qint64(4)}}, u"filtered"_s);
        Q_UNUSED(tableFields);
    }
};

QTEST_GUILESS_MAIN(TestRowDecoderLocalCloud)
#include "testrowdecoderlocalcloud.moc"
