#include <cmath>

#include <QDate>
#include <QJsonDocument>
#include <QTest>

#include "core/bigquery/rowdecoder.h"
#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::TableField;
using Aq::BigQuery::Timestamp;

namespace
{
    QList<TableField> schema(const char *fieldsJson)
    {
        const QJsonDocument document = QJsonDocument::fromJson(fieldsJson);
        Aq::Result<Aq::BigQuery::TableSchema> parsed = Aq::BigQuery::TableSchema::fromJson(document.array());
        if (!parsed)
            qFatal("bad test schema: %s", qPrintable(parsed.error().message));
        return parsed->fields;
    }

    TableField scalar(const QString &type, const QString &mode = u"NULLABLE"_s)
    {
        return schema(QByteArray("[{\"name\":\"c\",\"type\":\"" + type.toLatin1() + "\",\"mode\":\"" + mode.toLatin1() + "\"}]").constData()).first();
    }

    // Decodes the same rows through both entry points and checks that they agree.
    QList<QVariantList> decodeBoth(const QList<TableField> &fields, const QByteArray &rowsJson)
    {
        Aq::Result<QList<QVariantList>> fromArray = Aq::BigQuery::decodeRows(fields, QJsonDocument::fromJson(rowsJson).array());
        Aq::Result<Aq::BigQuery::DecodedReply> fromBytes = Aq::BigQuery::decodeReply("{\"rows\":" + rowsJson + "}", fields);
        if (!fromArray || !fromBytes) {
            qWarning("decode failed: %s / %s", fromArray ? "ok" : qPrintable(fromArray.error().message),
                     fromBytes ? "ok" : qPrintable(fromBytes.error().message));
            return {};
        }
        if (fromArray.value() != fromBytes->rows)
            qWarning("the QJsonArray and the bytes entry points disagree");
        return fromArray.value();
    }

    // The message of the error both entry points give for these rows, or "" when they differ or succeed.
    QString errorOfBoth(const QList<TableField> &fields, const QByteArray &rowsJson)
    {
        Aq::Result<QList<QVariantList>> fromArray = Aq::BigQuery::decodeRows(fields, QJsonDocument::fromJson(rowsJson).array());
        Aq::Result<Aq::BigQuery::DecodedReply> fromBytes = Aq::BigQuery::decodeReply("{\"rows\":" + rowsJson + "}", fields);
        if (fromArray || fromBytes)
            return {};
        if (fromArray.error().message != fromBytes.error().message) {
            qWarning("different messages: %s / %s", qPrintable(fromArray.error().message), qPrintable(fromBytes.error().message));
            return {};
        }
        return fromArray.error().message;
    }

    QVariant ts(qint64 micros)
    {
        return QVariant::fromValue(Timestamp {micros});
    }
}

class TestRowDecoder final : public QObject
{
    Q_OBJECT

private slots:
    void testScalars_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("cell");   // the v value's JSON
        QTest::addColumn<QVariant>("expected");
        QTest::newRow("STRING") << u"STRING"_s << QByteArray("\"hé \\\"llo\\\"\"") << QVariant(u"hé \"llo\""_s);
        QTest::newRow("STRING empty") << u"STRING"_s << QByteArray(R"("")") << QVariant(u""_s);
        QTest::newRow("GEOGRAPHY") << u"GEOGRAPHY"_s << QByteArray("\"POINT(1 2)\"") << QVariant(u"POINT(1 2)"_s);
        QTest::newRow("BYTES") << u"BYTES"_s << QByteArray(R"("AAEC/w==")") << QVariant(QByteArray("\x00\x01\x02\xff", 4));
        QTest::newRow("BYTES empty") << u"BYTES"_s << QByteArray(R"("")") << QVariant(QByteArray(""));
        QTest::newRow("INT64") << u"INT64"_s << QByteArray(R"("42")") << QVariant(qint64(42));
        QTest::newRow("INTEGER max") << u"INTEGER"_s << QByteArray(R"("9223372036854775807")") << QVariant(std::numeric_limits<qint64>::max());
        QTest::newRow("INT64 min") << u"INT64"_s << QByteArray(R"("-9223372036854775808")") << QVariant(std::numeric_limits<qint64>::min());
        QTest::newRow("FLOAT64") << u"FLOAT64"_s << QByteArray(R"("1.5")") << QVariant(1.5);
        QTest::newRow("FLOAT exponent") << u"FLOAT"_s << QByteArray(R"("1.0E20")") << QVariant(1e20);
        QTest::newRow("FLOAT64 whole") << u"FLOAT64"_s << QByteArray(R"("3")") << QVariant(3.0);
        QTest::newRow("FLOAT64 Infinity") << u"FLOAT64"_s << QByteArray(R"("Infinity")") << QVariant(std::numeric_limits<double>::infinity());
        QTest::newRow("FLOAT64 -Infinity") << u"FLOAT64"_s << QByteArray(R"("-Infinity")") << QVariant(-std::numeric_limits<double>::infinity());
        QTest::newRow("NUMERIC") << u"NUMERIC"_s << QByteArray(R"("12345678901234567890.123456789")") << QVariant(u"12345678901234567890.123456789"_s);
        QTest::newRow("NUMERIC negative") << u"NUMERIC"_s << QByteArray(R"("-0.5")") << QVariant(u"-0.5"_s);
        QTest::newRow("NUMERIC exponent normalized") << u"NUMERIC"_s << QByteArray(R"("1.50e2")") << QVariant(u"150"_s);
        QTest::newRow("NUMERIC zeros normalized") << u"NUMERIC"_s << QByteArray(R"("007.10")") << QVariant(u"7.1"_s);
        QTest::newRow("BIGNUMERIC") << u"BIGNUMERIC"_s << QByteArray(R"("-12345678901234567890123456789012345678.12345678901234567890123456789012345678")")
                                    << QVariant(u"-12345678901234567890123456789012345678.12345678901234567890123456789012345678"_s);
        QTest::newRow("BOOL true") << u"BOOL"_s << QByteArray(R"("true")") << QVariant(true);
        QTest::newRow("BOOLEAN false") << u"BOOLEAN"_s << QByteArray(R"("false")") << QVariant(false);
        QTest::newRow("TIMESTAMP float seconds") << u"TIMESTAMP"_s << QByteArray(R"("1.714564800123456E9")") << ts(1714564800123456);
        QTest::newRow("TIMESTAMP float seconds, Java's shortest") << u"TIMESTAMP"_s << QByteArray(R"("1.63966552385427E9")") << ts(1639665523854270);
        QTest::newRow("TIMESTAMP fixed point (goccy)") << u"TIMESTAMP"_s << QByteArray(R"("1714564800.000001")") << ts(1714564800000001);
        QTest::newRow("TIMESTAMP epoch") << u"TIMESTAMP"_s << QByteArray(R"("0.0")") << ts(0);
        QTest::newRow("TIMESTAMP small exponent") << u"TIMESTAMP"_s << QByteArray(R"("1.5E-5")") << ts(15);
        QTest::newRow("TIMESTAMP before epoch") << u"TIMESTAMP"_s << QByteArray(R"("-1.5")") << ts(-1500000);
        QTest::newRow("TIMESTAMP int64 micros") << u"TIMESTAMP"_s << QByteArray(R"("1714564800123456")") << ts(1714564800123456);
        QTest::newRow("TIMESTAMP int64 negative") << u"TIMESTAMP"_s << QByteArray(R"("-1")") << ts(-1);
        QTest::newRow("TIMESTAMP RFC 3339") << u"TIMESTAMP"_s << QByteArray(R"("2024-05-01T12:00:00.123456Z")") << ts(1714564800123456);
        QTest::newRow("TIMESTAMP RFC 3339 offset") << u"TIMESTAMP"_s << QByteArray(R"("2024-05-01T14:00:00+02:00")") << ts(1714564800000000);
        QTest::newRow("TIMESTAMP min") << u"TIMESTAMP"_s << QByteArray(R"("0001-01-01T00:00:00Z")") << ts(-62135596800000000);
        QTest::newRow("TIMESTAMP max") << u"TIMESTAMP"_s << QByteArray(R"("253402300799999999")") << ts(253402300799999999);
        QTest::newRow("TIMESTAMP max, float form rounds up") << u"TIMESTAMP"_s << QByteArray(R"("2.534023008E11")") << ts(253402300799999999);
        QTest::newRow("DATE") << u"DATE"_s << QByteArray(R"("2024-05-01")") << QVariant(QDate(2024, 5, 1));
        QTest::newRow("DATE leap day") << u"DATE"_s << QByteArray(R"("2024-02-29")") << QVariant(QDate(2024, 2, 29));
        QTest::newRow("DATE other spelling") << u"DATE"_s << QByteArray(R"("2024-5-1")") << QVariant(QDate(2024, 5, 1));
        QTest::newRow("TIME") << u"TIME"_s << QByteArray(R"("12:34:56")") << QVariant(u"12:34:56"_s);
        QTest::newRow("TIME fraction") << u"TIME"_s << QByteArray(R"("12:34:56.5")") << QVariant(u"12:34:56.5"_s);
        QTest::newRow("TIME micros") << u"TIME"_s << QByteArray(R"("23:59:59.999999")") << QVariant(u"23:59:59.999999"_s);
        QTest::newRow("TIME short hour normalized") << u"TIME"_s << QByteArray(R"("1:02:03")") << QVariant(u"01:02:03"_s);
        QTest::newRow("DATETIME") << u"DATETIME"_s << QByteArray(R"("2024-05-01T12:34:56")") << QVariant(u"2024-05-01T12:34:56"_s);
        QTest::newRow("DATETIME micros") << u"DATETIME"_s << QByteArray(R"("2024-05-01T12:34:56.000001")") << QVariant(u"2024-05-01T12:34:56.000001"_s);
        QTest::newRow("DATETIME space normalized") << u"DATETIME"_s << QByteArray(R"("2024-05-01 12:34")") << QVariant(u"2024-05-01T12:34:00"_s);
        QTest::newRow("JSON object") << u"JSON"_s << QByteArray("\"{\\\"x\\\":1,\\\"y\\\":[true,null]}\"")
                                     << QVariant(QJsonValue(QJsonObject {{u"x"_s, 1}, {u"y"_s, QJsonArray {true, QJsonValue::Null}}}));
        QTest::newRow("JSON array") << u"JSON"_s << QByteArray("\" [1,\\\"a\\\"]\"") << QVariant(QJsonValue(QJsonArray {1, u"a"_s}));
        QTest::newRow("JSON string") << u"JSON"_s << QByteArray("\"\\\"s\\\"\"") << QVariant(QJsonValue(u"s"_s));
        QTest::newRow("JSON number") << u"JSON"_s << QByteArray(R"("3.25")") << QVariant(QJsonValue(3.25));
        QTest::newRow("JSON null is not SQL NULL") << u"JSON"_s << QByteArray(R"("null")") << QVariant(QJsonValue(QJsonValue::Null));
        for (const char *type : {"STRING", "BYTES", "INT64", "FLOAT64", "NUMERIC", "BIGNUMERIC", "BOOL", "TIMESTAMP", "DATE", "TIME", "DATETIME", "GEOGRAPHY", "JSON"})
            QTest::addRow("%s NULL", type) << QString::fromLatin1(type) << QByteArray("null") << QVariant();
    }

    void testScalars()
    {
        QFETCH(QString, type);
        QFETCH(QByteArray, cell);
        QFETCH(QVariant, expected);
        const QList<QVariantList> rows = decodeBoth({scalar(type)}, "[{\"f\":[{\"v\":" + cell + "}]}]");
        QCOMPARE(rows.size(), 1);
        const QVariant value = rows[0][0];
        QCOMPARE(value.metaType(), expected.metaType());
        QCOMPARE(value, expected);
        // decodeCell agrees
        const Aq::Result<QVariant> single = Aq::BigQuery::decodeCell(scalar(type), QJsonDocument::fromJson("[" + cell + "]").array().at(0));
        QVERIFY(single);
        QCOMPARE(single.value(), expected);
    }

    void testNaN()
    {
        // (NaN is not equal to itself, so not through decodeBoth)
        const auto rows = Aq::BigQuery::decodeReply(R"({"rows":[{"f":[{"v":"NaN"}]}]})", {scalar(u"FLOAT64"_s)});
        QVERIFY(rows);
        QCOMPARE(rows->rows[0][0].metaType(), QMetaType::fromType<double>());
        QVERIFY(std::isnan(rows->rows[0][0].toDouble()));
        const auto cell = Aq::BigQuery::decodeCell(scalar(u"FLOAT64"_s), u"NaN"_s);
        QVERIFY(cell && std::isnan(cell->toDouble()));
    }

    void testTimestampMicrosRoundTripThroughEveryForm()
    {
        // every form BigQuery writes for one instant decodes to the same microsecond
        const TableField field = scalar(u"TIMESTAMP"_s);
        QList<qint64> instants {0, 1, -1, 999999, 1714564800123456, 1714564800999999, 1700000000000001, -62135596800000000, 253402300799999999};
        quint64 state = 88172645463325252ULL;
        for (int i = 0; i < 2000; ++i) {   // xorshift: reproducible instants between 1970 and 2100
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            instants.append(qint64(state % 4102444800000000ULL));
        }
        for (const qint64 micros : instants) {
            QStringList forms {QString::number(micros), Timestamp {micros}.toRfc3339(), Aq::Time::formatRfc3339Fixed(micros, 6)};
            if (std::llabs(micros) < 4102444800000000LL) {   // float seconds hold microseconds up to about 2100
                // the float form always has a point or an exponent: "0.0", "1.7145648E9"
                QString fixed = QString::number(double(micros) / 1e6, 'g', 17);
                if (!fixed.contains(u'.') && !fixed.contains(u'e'))
                    fixed += u".0"_s;
                forms.append(fixed);
                forms.append(QString::number(double(micros) / 1e6, 'E', QLocale::FloatingPointShortest));
            }
            for (const QString &form : forms) {
                const Aq::Result<QVariant> decoded = Aq::BigQuery::decodeCell(field, form);
                QVERIFY2(decoded, qPrintable(form));
                QCOMPARE(decoded->value<Timestamp>().microsSinceEpoch, micros);
            }
        }
        QCOMPARE(Timestamp {1714564800123456}.toRfc3339(), u"2024-05-01T12:00:00.123456Z"_s);
        QCOMPARE(Timestamp {1714564800123000}.toRfc3339(), u"2024-05-01T12:00:00.123Z"_s);
        QCOMPARE(Timestamp {1714564800123456}.toDisplayText(), u"2024-05-01 12:00:00.123456 UTC"_s);
        QCOMPARE(Timestamp {1714564800000000}.toDisplayText(), u"2024-05-01 12:00:00 UTC"_s);
        QCOMPARE(Timestamp {1714564800123456}.toDateTime(), QDateTime::fromMSecsSinceEpoch(1714564800123, Qt::UTC));
        QCOMPARE(Timestamp {-1}.toDateTime(), QDateTime::fromMSecsSinceEpoch(-1, Qt::UTC));
        QVERIFY(Timestamp {1} < Timestamp {2});
        QVERIFY(ts(5) == ts(5));
        QVERIFY(ts(5) != ts(6));
    }

    void testBadScalars_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QByteArray>("cell");
        QTest::addColumn<QString>("message");
        QTest::newRow("INT64 text") << u"INT64"_s << QByteArray(R"("x")") << u"Cannot decode row 0, column c (INT64): 'x' is not a 64-bit integer."_s;
        QTest::newRow("INT64 overflow") << u"INT64"_s << QByteArray(R"("9223372036854775808")") << u"'9223372036854775808' is not a 64-bit integer."_s;
        QTest::newRow("INT64 fraction") << u"INT64"_s << QByteArray(R"("1.5")") << u"is not a 64-bit integer"_s;
        QTest::newRow("INT64 empty") << u"INT64"_s << QByteArray(R"("")") << u"'' is not a 64-bit integer"_s;
        QTest::newRow("INT64 as a JSON number") << u"INT64"_s << QByteArray("42") << u"(INT64): expected a string, got a number."_s;
        QTest::newRow("FLOAT64 text") << u"FLOAT64"_s << QByteArray(R"("1.5x")") << u"is not a floating-point number"_s;
        QTest::newRow("NUMERIC text") << u"NUMERIC"_s << QByteArray(R"("1.2.3")") << u"(NUMERIC): '1.2.3' is not a NUMERIC value."_s;
        QTest::newRow("NUMERIC too precise") << u"NUMERIC"_s << QByteArray(R"("0.0000000001")") << u"is not a NUMERIC value"_s;
        QTest::newRow("BOOL") << u"BOOL"_s << QByteArray(R"("yes")") << u"(BOOL): 'yes' is not true or false."_s;
        QTest::newRow("BOOL as a JSON boolean") << u"BOOL"_s << QByteArray("true") << u"expected a string, got a boolean."_s;
        QTest::newRow("BYTES") << u"BYTES"_s << QByteArray(R"("not base64!")") << u"(BYTES): 'not base64!' is not base64."_s;
        QTest::newRow("TIMESTAMP text") << u"TIMESTAMP"_s << QByteArray(R"("soon")") << u"(TIMESTAMP): 'soon' is not a timestamp"_s;
        QTest::newRow("TIMESTAMP bad date") << u"TIMESTAMP"_s << QByteArray(R"("2024-02-30T00:00:00Z")") << u"is not a timestamp"_s;
        QTest::newRow("TIMESTAMP out of range") << u"TIMESTAMP"_s << QByteArray(R"("253402300800000000")") << u"is not a timestamp"_s;
        QTest::newRow("TIMESTAMP float past the end") << u"TIMESTAMP"_s << QByteArray(R"("2.534023009E11")") << u"is not a timestamp"_s;
        QTest::newRow("NUMERIC too many digits") << u"NUMERIC"_s << QByteArray(R"("123456789012345678901234567890")") << u"is not a NUMERIC value"_s;
        QTest::newRow("TIMESTAMP huge float") << u"TIMESTAMP"_s << QByteArray(R"("1.0E300")") << u"is not a timestamp"_s;
        QTest::newRow("TIMESTAMP bad exponent") << u"TIMESTAMP"_s << QByteArray(R"("1.5E")") << u"is not a timestamp"_s;
        QTest::newRow("DATE") << u"DATE"_s << QByteArray(R"("2023-02-29")") << u"(DATE): '2023-02-29' is not a date (YYYY-MM-DD)."_s;
        QTest::newRow("TIME") << u"TIME"_s << QByteArray(R"("24:00:00")") << u"is not a time"_s;
        QTest::newRow("DATETIME") << u"DATETIME"_s << QByteArray(R"("2024-05-01T25:00:00")") << u"is not a datetime"_s;
        QTest::newRow("JSON") << u"JSON"_s << QByteArray("\"{not json\"") << u"(JSON): '{not json' is not JSON text."_s;
        QTest::newRow("JSON two values") << u"JSON"_s << QByteArray(R"("1 2")") << u"is not JSON text"_s;
        QTest::newRow("STRING as an object") << u"STRING"_s << QByteArray(R"({"f":[]})") << u"(STRING): expected a string, got an object."_s;
        QTest::newRow("STRING as an array") << u"STRING"_s << QByteArray(R"(["a"])") << u"expected a string, got an array."_s;
        QTest::newRow("long values are cut") << u"INT64"_s << QByteArray(R"("12345678901234567890123456789012345678901234567890")")
                                             << u"'1234567890123456789012345678901234567890...' is not"_s;
    }

    void testBadScalars()
    {
        QFETCH(QString, type);
        QFETCH(QByteArray, cell);
        QFETCH(QString, message);
        const QString error = errorOfBoth({scalar(type)}, "[{\"f\":[{\"v\":" + cell + "}]}]");
        QVERIFY2(error.contains(message), qPrintable(error));
        const Aq::Result<QVariant> single = Aq::BigQuery::decodeCell(scalar(type), QJsonDocument::fromJson("[" + cell + "]").array().at(0));
        QVERIFY(!single);
        QVERIFY2(single.error().message.startsWith(u"Cannot decode column c ("_s), qPrintable(single.error().message));
        QCOMPARE(single.error().status, u"INTERNAL"_s);
        QVERIFY(!single.error().retryable);
    }

    void testRecordsAndRepeated()
    {
        const QList<TableField> fields = schema(R"([
            {"name":"tags","type":"STRING","mode":"REPEATED"},
            {"name":"attrs","type":"RECORD","mode":"REPEATED","fields":[{"name":"key","type":"STRING"},{"name":"value","type":"INT64"}]},
            {"name":"rec","type":"RECORD","fields":[
                {"name":"when","type":"TIMESTAMP"},
                {"name":"nums","type":"INT64","mode":"REPEATED"},
                {"name":"inner","type":"RECORD","fields":[{"name":"d","type":"DATE"}]}]}])");
        const QList<QVariantList> rows = decodeBoth(fields, R"([
            {"f":[{"v":[{"v":"a"},{"v":"b"}]},
                  {"v":[{"v":{"f":[{"v":"k1"},{"v":"1"}]}},{"v":{"f":[{"v":"k2"},{"v":null}]}}]},
                  {"v":{"f":[{"v":"1714564800000001"},{"v":[{"v":"7"},{"v":"8"}]},{"v":{"f":[{"v":"2024-05-01"}]}}]}}]},
            {"f":[{"v":[]},{"v":[]},{"v":null}]},
            {"f":[{"v":null},{"v":[{"v":null}]},{"v":{"f":[{"v":null},{"v":[]},{"v":null}]}}]},
            {"f":[{"v":[{"v":"only"}]},{"v":[{"v":{"f":[{"v":null},{"v":null}]}}]},{"v":{"f":[{"v":null},{"v":null},{"v":{"f":[{"v":null}]}}]}}]}])");
        QCOMPARE(rows.size(), 4);
        // REPEATED scalar, REPEATED RECORD (with a NULL sub-field), RECORD holding a REPEATED and a RECORD
        QCOMPARE(rows[0][0], QVariant(QVariantList {u"a"_s, u"b"_s}));
        QCOMPARE(rows[0][1], QVariant(QVariantList {QVariantList {u"k1"_s, qint64(1)}, QVariantList {u"k2"_s, QVariant()}}));
        QCOMPARE(rows[0][2], QVariant(QVariantList {ts(1714564800000001), QVariantList {qint64(7), qint64(8)}, QVariantList {QDate(2024, 5, 1)}}));
        // empty arrays, NULL record
        QCOMPARE(rows[1][0], QVariant(QVariantList()));
        QCOMPARE(rows[1][1], QVariant(QVariantList()));
        QVERIFY(!rows[1][2].isValid());
        // a null REPEATED (never sent by BigQuery) is the empty list; a NULL element and NULLs inside a record stay NULL
        QCOMPARE(rows[2][0], QVariant(QVariantList()));
        QCOMPARE(rows[2][1], QVariant(QVariantList {QVariant()}));
        QCOMPARE(rows[2][2], QVariant(QVariantList {QVariant(), QVariantList(), QVariant()}));
        QCOMPARE(rows[3][1], QVariant(QVariantList {QVariantList {QVariant(), QVariant()}}));
        QCOMPARE(rows[3][2], QVariant(QVariantList {QVariant(), QVariantList(), QVariantList {QVariant()}}));
        QCOMPARE(rows[0][0].metaType(), QMetaType::fromType<QVariantList>());
    }

    void testMalformedShapesNameRowAndColumn_data()
    {
        QTest::addColumn<QByteArray>("rows");
        QTest::addColumn<QString>("message");
        const QByteArray good = R"({"f":[{"v":"1"},{"v":[]},{"v":null}]})";
        QTest::newRow("row not an object") << QByteArray("[" + good + ",[1]]") << u"Cannot decode row 1: expected an object {\"f\":[...]}, got an array."_s;
        QTest::newRow("row without f") << QByteArray(R"([{"g":[]}])") << u"Cannot decode row 0: expected an object {\"f\":[...]}, got an object."_s;
        QTest::newRow("too few cells") << QByteArray("[" + good + R"(,{"f":[{"v":"1"}]}])") << u"Cannot decode row 1: it has 1 cells, the schema has 3 fields."_s;
        QTest::newRow("too many cells") << QByteArray(R"([{"f":[{"v":"1"},{"v":[]},{"v":null},{"v":null}]}])") << u"Cannot decode row 0: it has 4 cells, the schema has 3 fields."_s;
        QTest::newRow("cell without v") << QByteArray(R"([{"f":[{"x":"1"},{"v":[]},{"v":null}]}])") << u"Cannot decode row 0, column id (INT64): expected {\"v\":...}, got an object."_s;
        QTest::newRow("cell not an object") << QByteArray(R"([{"f":["1",{"v":[]},{"v":null}]}])") << u"Cannot decode row 0, column id (INT64): expected {\"v\":...}, got a string."_s;
        QTest::newRow("repeated not an array") << QByteArray(R"([{"f":[{"v":"1"},{"v":"x"},{"v":null}]}])") << u"Cannot decode row 0, column attrs (ARRAY<STRUCT>): expected an array, got a string."_s;
        QTest::newRow("element without v") << QByteArray(R"([{"f":[{"v":"1"},{"v":[{"f":[]}]},{"v":null}]}])") << u"Cannot decode row 0, column attrs[0] (STRUCT): expected {\"v\":...}, got an object."_s;
        QTest::newRow("record element not an object") << QByteArray(R"([{"f":[{"v":"1"},{"v":[{"v":"x"}]},{"v":null}]}])") << u"Cannot decode row 0, column attrs[0] (STRUCT): expected an object {\"f\":[...]}, got a string."_s;
        QTest::newRow("bad value inside a repeated record") << QByteArray("[" + good + R"(,{"f":[{"v":"1"},{"v":[{"v":{"f":[{"v":"k"},{"v":"1"}]}},{"v":{"f":[{"v":{}},{"v":"1"}]}}]},{"v":null}]}])")
                                                            << u"Cannot decode row 1, column attrs[1].key (STRING): expected a string, got an object."_s;
        QTest::newRow("short record") << QByteArray(R"([{"f":[{"v":"1"},{"v":[{"v":{"f":[{"v":"k"}]}}]},{"v":null}]}])") << u"Cannot decode row 0, column attrs[0]: it has 1 cells, the schema has 2 fields."_s;
        QTest::newRow("bad value in a nested repeated") << QByteArray(R"([{"f":[{"v":"1"},{"v":[]},{"v":{"f":[{"v":[{"v":"3"},{"v":"x"}]}]}}]}])")
                                                        << u"Cannot decode row 0, column rec.nums[1] (INT64): 'x' is not a 64-bit integer."_s;
        QTest::newRow("record as a string") << QByteArray(R"([{"f":[{"v":"1"},{"v":[]},{"v":"x"}]}])") << u"Cannot decode row 0, column rec (STRUCT): expected an object {\"f\":[...]}, got a string."_s;
    }

    void testMalformedShapesNameRowAndColumn()
    {
        QFETCH(QByteArray, rows);
        QFETCH(QString, message);
        const QList<TableField> fields = schema(R"([{"name":"id","type":"INT64"},
            {"name":"attrs","type":"RECORD","mode":"REPEATED","fields":[{"name":"key","type":"STRING"},{"name":"value","type":"INT64"}]},
            {"name":"rec","type":"RECORD","fields":[{"name":"nums","type":"INT64","mode":"REPEATED"}]}])");
        QCOMPARE(errorOfBoth(fields, rows), message);
    }

    void testDecodeReply()
    {
        // jobs.query: the schema (legacy names) comes with the rows; everything else is kept
        const QByteArray body = R"({"kind":"bigquery#queryResponse",
            "schema":{"fields":[{"name":"i","type":"INTEGER","mode":"NULLABLE"},
                                {"name":"rec","type":"RECORD","mode":"NULLABLE","fields":[{"name":"a","type":"STRING","mode":"NULLABLE"}]}]},
            "jobReference":{"projectId":"p1","jobId":"job_abc","location":"US"},
            "totalRows":"3","rows":[{"f":[{"v":"42"},{"v":{"f":[{"v":"hi"}]}}]}],
            "pageToken":"BEH","totalBytesProcessed":"0","jobComplete":true,"cacheHit":false,"queryId":"q1"})";
        const Aq::Result<Aq::BigQuery::DecodedReply> reply = Aq::BigQuery::decodeReply(body);
        QVERIFY2(reply, reply ? "" : qPrintable(reply.error().message));
        QCOMPARE(reply->fields.size(), 2);
        QCOMPARE(reply->fields[1].fields[0].name, u"a"_s);
        QCOMPARE(reply->rows, (QList<QVariantList> {{qint64(42), QVariantList {u"hi"_s}}}));
        QCOMPARE(reply->other.value(u"pageToken"_s).toString(), u"BEH"_s);
        QCOMPARE(reply->other.value(u"totalRows"_s).toString(), u"3"_s);
        QCOMPARE(reply->other.value(u"jobComplete"_s).toBool(), true);
        QCOMPARE(reply->other.value(u"jobReference"_s).toObject().value(u"jobId"_s).toString(), u"job_abc"_s);
        QVERIFY(reply->other.contains(u"schema"_s));
        QVERIFY(!reply->other.contains(u"rows"_s));
        QJsonObject withoutRows = QJsonDocument::fromJson(body).object();
        withoutRows.remove(u"rows"_s);
        QCOMPARE(reply->other, withoutRows);

        // not finished yet: no schema, no rows
        const auto pending = Aq::BigQuery::decodeReply("{\"kind\":\"bigquery#queryResponse\",\"jobReference\":{\"jobId\":\"j\"},\"jobComplete\":false}");
        QVERIFY(pending);
        QVERIFY(pending->rows.isEmpty());
        QVERIFY(pending->fields.isEmpty());
        QCOMPARE(pending->other.value(u"jobComplete"_s).toBool(true), false);
        // a finished query with no rows sends no "rows" member
        const auto empty = Aq::BigQuery::decodeReply(R"({"schema":{"fields":[{"name":"a","type":"STRING"}]},"totalRows":"0","jobComplete":true})");
        QVERIFY(empty);
        QCOMPARE(empty->fields.size(), 1);
        QVERIFY(empty->rows.isEmpty());

        // tabledata.list: no schema in the reply
        const QList<TableField> fields {scalar(u"STRING"_s)};
        const auto listed = Aq::BigQuery::decodeReply("{\"kind\":\"bigquery#tableDataList\",\"totalRows\":\"1\",\"rows\":[{\"f\":[{\"v\":\"x\"}]}]}", fields);
        QVERIFY(listed);
        QCOMPARE(listed->rows, (QList<QVariantList> {{u"x"_s}}));
        QCOMPARE(listed->fields, fields);

        // broken replies
        const auto noSchema = Aq::BigQuery::decodeReply(R"({"rows":[{"f":[{"v":"x"}]}]})");
        QVERIFY(!noSchema);
        QCOMPARE(noSchema.error().message, u"The reply has rows but no schema."_s);
        QVERIFY(!Aq::BigQuery::decodeReply("not json"));
        QVERIFY(Aq::BigQuery::decodeReply("not json").error().message.startsWith(u"The reply is not valid JSON"_s));
        QVERIFY(!Aq::BigQuery::decodeReply("[]"));
        QVERIFY(!Aq::BigQuery::decodeReply(""));
        QVERIFY(!Aq::BigQuery::decodeReply(R"({"rows":{}})", fields));
        QVERIFY(!Aq::BigQuery::decodeReply(R"({"schema":{"fields":[{"name":"a","type":"NOPE"}]},"rows":[]})"));
        QVERIFY(!Aq::BigQuery::decodeReply(R"({"rows":[{"f":[{"v":"x"}]}]})" "garbage", fields));
        // a row error names its row
        const auto bad = Aq::BigQuery::decodeReply(R"({"rows":[{"f":[{"v":"x"}]},{"f":[{"v":"y"}]},{"f":[{"v":1}]}]})", fields);
        QVERIFY(!bad);
        QCOMPARE(bad.error().message, u"Cannot decode row 2, column c (STRING): expected a string, got a number."_s);
    }

    void testLargeRepliesDecodeInParallelAndReportTheFirstBadRow()
    {
        // past 4096 rows the bytes entry point splits the rows among threads: same values, same first error
        const QList<TableField> fields {scalar(u"INT64"_s), scalar(u"STRING"_s, u"REPEATED"_s)};
        constexpr int ROWS = 20000;
        auto body = [&](const QList<int> &bad) -> QByteArray {
            QByteArray rows = "{\"rows\":[";
            for (int i = 0; i < ROWS; ++i) {
                rows += (i ? ",{\"f\":[{\"v\":\"" : "{\"f\":[{\"v\":\"") + (bad.contains(i) ? QByteArray("x") : QByteArray::number(i))
                    + "\"},{\"v\":[{\"v\":\"t" + QByteArray::number(i) + "\"}]}]}";
            }
            return rows + "]}";
        };
        const auto good = Aq::BigQuery::decodeReply(body({}), fields);
        QVERIFY(good);
        QCOMPARE(good->rows.size(), ROWS);
        for (int i = 0; i < ROWS; ++i) {
            QCOMPARE(good->rows[i][0].toLongLong(), qint64(i));
            QCOMPARE(good->rows[i][1], QVariant(QVariantList {QVariant(u"t"_s + QString::number(i))}));
        }
        QCOMPARE(Aq::BigQuery::decodeRows(fields, QJsonDocument::fromJson(body({})).object()[u"rows"_s].toArray()).value(), good->rows);
        for (const QList<int> &bad : {QList<int> {19999}, QList<int> {15000, 12000}, QList<int> {0, 19999}, QList<int> {4999, 5000, 10001}}) {
            const auto failed = Aq::BigQuery::decodeReply(body(bad), fields);
            QVERIFY(!failed);
            QCOMPARE(failed.error().message, u"Cannot decode row %1, column c (INT64): 'x' is not a 64-bit integer."_s.arg(*std::min_element(bad.begin(), bad.end())));
        }
    }

    void testDeepAndHostileInputDoesNotCrash()
    {
        const QList<TableField> fields {scalar(u"JSON"_s), scalar(u"STRING"_s, u"REPEATED"_s)};
        // JSON text nested far deeper than Qt's parser allows: an error, not a stack overflow
        const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
        const QByteArray rows = "[{\"f\":[{\"v\":\"" + deep + "\"},{\"v\":[]}]}]";
        QVERIFY(!errorOfBoth(fields, rows).isEmpty());
        // a reply nested deeper than simdjson's limit
        QVERIFY(!Aq::BigQuery::decodeReply("{\"x\":" + deep + "}"));
        // arrays of arrays where BigQuery never puts them
        QVERIFY(errorOfBoth(fields, R"([{"f":[{"v":null},{"v":[{"v":[{"v":"a"}]}]}]}])").contains(u"column c[0] (STRING): expected a string, got an array."_s));
        // an empty schema and empty rows
        QCOMPARE(decodeBoth({}, R"([{"f":[]}])").size(), 1);
        QVERIFY(decodeBoth(fields, "[]").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRowDecoder)
#include "testrowdecoder.moc"
