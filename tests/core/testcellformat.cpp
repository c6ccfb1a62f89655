#include <cmath>

#include <QDate>
#include <QJsonDocument>
#include <QTest>

#include "core/bigquery/cellformat.h"
#include "core/bigquery/rowdecoder.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::TableField;
using Aq::BigQuery::Timestamp;

namespace
{
    QList<TableField> schema(const char *fieldsJson)
    {
        Aq::Result<Aq::BigQuery::TableSchema> parsed = Aq::BigQuery::TableSchema::fromJson(QJsonDocument::fromJson(fieldsJson).array());
        if (!parsed)
            qFatal("bad test schema: %s", qPrintable(parsed.error().message));
        return parsed->fields;
    }

    TableField scalar(const char *type)
    {
        return schema(QByteArray("[{\"name\":\"c\",\"type\":\"" + QByteArray(type) + "\"}]").constData()).first();
    }
}

class TestCellFormat final : public QObject
{
    Q_OBJECT

private slots:
    void testScalars_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QVariant>("value");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QJsonValue>("json");
        const double inf = std::numeric_limits<double>::infinity();
        QTest::newRow("STRING") << u"STRING"_s << QVariant(u"hé"_s) << u"hé"_s << QJsonValue(u"hé"_s);
        QTest::newRow("GEOGRAPHY") << u"GEOGRAPHY"_s << QVariant(u"POINT(1 2)"_s) << u"POINT(1 2)"_s << QJsonValue(u"POINT(1 2)"_s);
        QTest::newRow("BYTES") << u"BYTES"_s << QVariant(QByteArray("\x00\x01\x02", 3)) << u"AAEC"_s << QJsonValue(u"AAEC"_s);
        QTest::newRow("INT64") << u"INT64"_s << QVariant(qint64(42)) << u"42"_s << QJsonValue(u"42"_s);
        QTest::newRow("INT64 beyond 2^53") << u"INT64"_s << QVariant(qint64(9007199254740993)) << u"9007199254740993"_s << QJsonValue(u"9007199254740993"_s);
        QTest::newRow("FLOAT64") << u"FLOAT64"_s << QVariant(1.5) << u"1.5"_s << QJsonValue(1.5);
        QTest::newRow("FLOAT64 whole") << u"FLOAT64"_s << QVariant(3.0) << u"3"_s << QJsonValue(3.0);
        QTest::newRow("FLOAT64 tenth") << u"FLOAT64"_s << QVariant(0.1) << u"0.1"_s << QJsonValue(0.1);
        QTest::newRow("FLOAT64 large") << u"FLOAT64"_s << QVariant(1e20) << u"1e+20"_s << QJsonValue(1e20);
        QTest::newRow("FLOAT64 Infinity") << u"FLOAT64"_s << QVariant(inf) << u"Infinity"_s << QJsonValue(u"Infinity"_s);
        QTest::newRow("FLOAT64 -Infinity") << u"FLOAT64"_s << QVariant(-inf) << u"-Infinity"_s << QJsonValue(u"-Infinity"_s);
        QTest::newRow("FLOAT64 NaN") << u"FLOAT64"_s << QVariant(std::nan("")) << u"NaN"_s << QJsonValue(u"NaN"_s);
        QTest::newRow("NUMERIC") << u"NUMERIC"_s << QVariant(u"12345678901234567890.123456789"_s) << u"12345678901234567890.123456789"_s
                                 << QJsonValue(u"12345678901234567890.123456789"_s);
        QTest::newRow("BIGNUMERIC") << u"BIGNUMERIC"_s << QVariant(u"-1.5"_s) << u"-1.5"_s << QJsonValue(u"-1.5"_s);
        QTest::newRow("BOOL") << u"BOOL"_s << QVariant(true) << u"true"_s << QJsonValue(true);
        QTest::newRow("BOOL false") << u"BOOL"_s << QVariant(false) << u"false"_s << QJsonValue(false);
        QTest::newRow("TIMESTAMP") << u"TIMESTAMP"_s << QVariant::fromValue(Timestamp {1714564800123456}) << u"2024-05-01 12:00:00.123456 UTC"_s
                                   << QJsonValue(u"2024-05-01 12:00:00.123456 UTC"_s);
        QTest::newRow("TIMESTAMP whole second") << u"TIMESTAMP"_s << QVariant::fromValue(Timestamp {1714564800000000}) << u"2024-05-01 12:00:00 UTC"_s
                                                << QJsonValue(u"2024-05-01 12:00:00 UTC"_s);
        QTest::newRow("TIMESTAMP millisecond") << u"TIMESTAMP"_s << QVariant::fromValue(Timestamp {1714564800120000}) << u"2024-05-01 12:00:00.120000 UTC"_s
                                               << QJsonValue(u"2024-05-01 12:00:00.120000 UTC"_s);
        QTest::newRow("TIMESTAMP before epoch") << u"TIMESTAMP"_s << QVariant::fromValue(Timestamp {-1}) << u"1969-12-31 23:59:59.999999 UTC"_s
                                                << QJsonValue(u"1969-12-31 23:59:59.999999 UTC"_s);
        QTest::newRow("DATE") << u"DATE"_s << QVariant(QDate(2024, 5, 1)) << u"2024-05-01"_s << QJsonValue(u"2024-05-01"_s);
        QTest::newRow("TIME") << u"TIME"_s << QVariant(u"12:34:56.5"_s) << u"12:34:56.5"_s << QJsonValue(u"12:34:56.5"_s);
        QTest::newRow("DATETIME") << u"DATETIME"_s << QVariant(u"2024-05-01T12:34:56"_s) << u"2024-05-01T12:34:56"_s << QJsonValue(u"2024-05-01T12:34:56"_s);
        QTest::newRow("JSON object") << u"JSON"_s << QVariant(QJsonValue(QJsonObject {{u"x"_s, 1}})) << u"{\"x\":1}"_s << QJsonValue(QJsonObject {{u"x"_s, 1}});
        QTest::newRow("JSON string") << u"JSON"_s << QVariant(QJsonValue(u"s"_s)) << u"\"s\""_s << QJsonValue(u"s"_s);
        QTest::newRow("JSON null") << u"JSON"_s << QVariant(QJsonValue(QJsonValue::Null)) << u"null"_s << QJsonValue(QJsonValue::Null);
        for (const char *type : {"STRING", "INT64", "FLOAT64", "BOOL", "TIMESTAMP", "JSON", "RECORD"})
            QTest::addRow("%s NULL", type) << QString::fromLatin1(type) << QVariant() << u"NULL"_s << QJsonValue(QJsonValue::Null);
    }

    void testScalars()
    {
        QFETCH(QString, type);
        QFETCH(QVariant, value);
        QFETCH(QString, text);
        QFETCH(QJsonValue, json);
        TableField field = type == u"RECORD"_s ? schema(R"([{"name":"c","type":"RECORD","fields":[{"name":"a","type":"STRING"}]}])").first() : scalar(type.toLatin1().constData());
        QCOMPARE(Aq::BigQuery::cellToText(field, value), text);
        QCOMPARE(Aq::BigQuery::cellToJson(field, value), json);
    }

    void testRecordsAndRepeated()
    {
        // members in schema order in the text (not sorted), JSON values embedded, as bq prints RECORD cells
        const QList<TableField> fields = schema(R"([
            {"name":"tags","type":"STRING","mode":"REPEATED"},
            {"name":"attrs","type":"RECORD","mode":"REPEATED","fields":[{"name":"zkey","type":"STRING"},{"name":"avalue","type":"INT64"}]},
            {"name":"rec","type":"RECORD","fields":[{"name":"when","type":"TIMESTAMP"},{"name":"nums","type":"FLOAT64","mode":"REPEATED"},
                                                   {"name":"j","type":"JSON"},{"name":"missing","type":"BOOL"}]}])");
        const auto decoded = Aq::BigQuery::decodeReply("{\"rows\":[{\"f\":["
"            {\"v\":[{\"v\":\"a\\\"b\"},{\"v\":\"é\"}]},"
"            {\"v\":[{\"v\":{\"f\":[{\"v\":\"k\"},{\"v\":\"9007199254740993\"}]}},{\"v\":{\"f\":[{\"v\":null},{\"v\":null}]}}]},"
"            {\"v\":{\"f\":[{\"v\":\"1714564800.5\"},{\"v\":[{\"v\":\"1.5\"},{\"v\":\"NaN\"}]},{\"v\":\"{\\\"b\\\":1,\\\"a\\\":[2]}\"},{\"v\":null}]}}]}]}",
                                                       fields);
        QVERIFY(decoded);
        const QVariantList row = decoded->rows.first();
        QCOMPARE(Aq::BigQuery::cellToText(fields[0], row[0]), u"[\"a\\\"b\",\"é\"]"_s);
        QCOMPARE(Aq::BigQuery::cellToText(fields[1], row[1]), u"[{\"zkey\":\"k\",\"avalue\":\"9007199254740993\"},{\"zkey\":null,\"avalue\":null}]"_s);
        QCOMPARE(Aq::BigQuery::cellToText(fields[2], row[2]),
                 u"{\"when\":\"2024-05-01 12:00:00.500000 UTC\",\"nums\":[1.5,\"NaN\"],\"j\":{\"a\":[2],\"b\":1},\"missing\":null}"_s);
        QCOMPARE(Aq::BigQuery::cellToJson(fields[0], row[0]), QJsonValue(QJsonArray {u"a\"b"_s, u"é"_s}));
        QCOMPARE(Aq::BigQuery::cellToJson(fields[1], row[1]),
                 QJsonValue(QJsonArray {QJsonObject {{u"zkey"_s, u"k"_s}, {u"avalue"_s, u"9007199254740993"_s}},
                                        QJsonObject {{u"zkey"_s, QJsonValue::Null}, {u"avalue"_s, QJsonValue::Null}}}));
        QCOMPARE(Aq::BigQuery::cellToJson(fields[2], row[2]),
                 QJsonValue(QJsonObject {{u"when"_s, u"2024-05-01 12:00:00.500000 UTC"_s},
                                         {u"nums"_s, QJsonArray {1.5, u"NaN"_s}},
                                         {u"j"_s, QJsonObject {{u"a"_s, QJsonArray {2}}, {u"b"_s, 1}}},
                                         {u"missing"_s, QJsonValue::Null}}));
        // empty arrays
        QCOMPARE(Aq::BigQuery::cellToText(fields[0], QVariantList()), u"[]"_s);
        QCOMPARE(Aq::BigQuery::cellToJson(fields[0], QVariantList()), QJsonValue(QJsonArray()));
    }

    void testTimestampTextReadsBackAsATimestamp()
    {
        // what cellToText/cellToJson print can be sent back as a TIMESTAMP (insertAll, a parameter, a literal)
        const TableField field = scalar("TIMESTAMP");
        for (const qint64 micros : {qint64(0), qint64(1714564800123456), qint64(-1), qint64(253402300799999999)}) {
            const QString text = Aq::BigQuery::cellToText(field, QVariant::fromValue(Timestamp {micros}));
            const Aq::Result<QVariant> back = Aq::BigQuery::decodeCell(field, text);
            QVERIFY2(back, qPrintable(text));
            QCOMPARE(back->value<Timestamp>().microsSinceEpoch, micros);
        }
    }
};

QTEST_GUILESS_MAIN(TestCellFormat)
#include "testcellformat.moc"
