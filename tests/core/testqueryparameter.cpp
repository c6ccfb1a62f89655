#include <QJsonDocument>
#include <QTest>

#include "core/bigquery/queryparameter.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::QueryParameter;

namespace
{
    QByteArray compact(const QJsonObject &object)
    {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    }
}

class TestQueryParameter final : public QObject
{
    Q_OBJECT

private slots:
    void testScalars_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("value");
        QTest::newRow("STRING") << u"s:STRING:hello"_s << u"STRING"_s << u"hello"_s;
        QTest::newRow("empty type is STRING") << u"s::hello"_s << u"STRING"_s << u"hello"_s;
        QTest::newRow("STRING keeps colons and spaces") << u"s::a:b: c "_s << u"STRING"_s << u"a:b: c "_s;
        QTest::newRow("STRING empty") << u"s::"_s << u"STRING"_s << u""_s;
        QTest::newRow("lower-case type") << u"n:int64:5"_s << u"INT64"_s << u"5"_s;
        QTest::newRow("INTEGER alias") << u"n:INTEGER:-12"_s << u"INT64"_s << u"-12"_s;
        QTest::newRow("INT64 max") << u"n:INT64:9223372036854775807"_s << u"INT64"_s << u"9223372036854775807"_s;
        QTest::newRow("FLOAT64") << u"f:FLOAT64:1.5e3"_s << u"FLOAT64"_s << u"1.5e3"_s;
        QTest::newRow("FLOAT alias") << u"f:FLOAT:2"_s << u"FLOAT64"_s << u"2"_s;
        QTest::newRow("FLOAT64 NaN") << u"f:FLOAT64:nan"_s << u"FLOAT64"_s << u"NaN"_s;
        QTest::newRow("FLOAT64 -Infinity") << u"f:FLOAT64:-Infinity"_s << u"FLOAT64"_s << u"-Infinity"_s;
        QTest::newRow("NUMERIC normalized") << u"n:NUMERIC:1.50e2"_s << u"NUMERIC"_s << u"150"_s;
        QTest::newRow("NUMERIC exact") << u"n:NUMERIC:12345678901234567890.123456789"_s << u"NUMERIC"_s << u"12345678901234567890.123456789"_s;
        QTest::newRow("BIGNUMERIC") << u"n:BIGNUMERIC:0.00000000000000000001"_s << u"BIGNUMERIC"_s << u"0.00000000000000000001"_s;
        QTest::newRow("BOOL") << u"b:BOOL:TRUE"_s << u"BOOL"_s << u"true"_s;
        QTest::newRow("BOOLEAN alias") << u"b:BOOLEAN:false"_s << u"BOOL"_s << u"false"_s;
        QTest::newRow("TIMESTAMP RFC 3339") << u"t:TIMESTAMP:2024-05-01T12:00:00.123456Z"_s << u"TIMESTAMP"_s << u"2024-05-01T12:00:00.123456Z"_s;
        QTest::newRow("TIMESTAMP bq style, to UTC") << u"t:TIMESTAMP:2024-05-01 14:00:00+02:00"_s << u"TIMESTAMP"_s << u"2024-05-01T12:00:00Z"_s;
        QTest::newRow("TIMESTAMP with UTC") << u"t:TIMESTAMP:2024-05-01 12:00:00.5 UTC"_s << u"TIMESTAMP"_s << u"2024-05-01T12:00:00.500Z"_s;
        QTest::newRow("TIMESTAMP date only") << u"t:TIMESTAMP:2024-05-01"_s << u"TIMESTAMP"_s << u"2024-05-01T00:00:00Z"_s;
        QTest::newRow("DATE") << u"d:DATE:2024-5-1"_s << u"DATE"_s << u"2024-05-01"_s;
        QTest::newRow("DATETIME") << u"d:DATETIME:2024-05-01 12:34"_s << u"DATETIME"_s << u"2024-05-01T12:34:00"_s;
        QTest::newRow("TIME") << u"t:TIME:12:34:56.500"_s << u"TIME"_s << u"12:34:56.5"_s;
        QTest::newRow("BYTES") << u"b:BYTES:AAEC"_s << u"BYTES"_s << u"AAEC"_s;
        QTest::newRow("underscore name") << u"_x1:INT64:1"_s << u"INT64"_s << u"1"_s;
    }

    void testScalars()
    {
        QFETCH(QString, spec);
        QFETCH(QString, type);
        QFETCH(QString, value);
        const Aq::Result<QueryParameter> parameter = QueryParameter::parse(spec);
        QVERIFY2(parameter, parameter ? "" : qPrintable(parameter.error().message));
        QCOMPARE(parameter->typeName(), type);
        QCOMPARE(parameter->value, value);
        QVERIFY(!parameter->isNull);
        QVERIFY(!parameter->isArray);
        const QJsonObject json = parameter->toJson();
        QCOMPARE(json, (QJsonObject {{u"name"_s, spec.section(u':', 0, 0)},
                                     {u"parameterType"_s, QJsonObject {{u"type"_s, type}}},
                                     {u"parameterValue"_s, QJsonObject {{u"value"_s, value}}}}));
    }

    void testSerialisationIsBigQuerysShape()
    {
        const Aq::Result<QList<QueryParameter>> parameters = Aq::BigQuery::parseQueryParameters(
            {u"id:INT64:5"_s, u"since:TIMESTAMP:2024-05-01T00:00:00Z"_s, u"ids:ARRAY<INT64>:[1,\"2\"]"_s, u"none:INT64:NULL"_s});
        QVERIFY(parameters);
        QCOMPARE(QJsonDocument(Aq::BigQuery::queryParametersToJson(*parameters)).toJson(QJsonDocument::Compact),
                 QByteArray(R"([{"name":"id","parameterType":{"type":"INT64"},"parameterValue":{"value":"5"}},)"
                            R"({"name":"since","parameterType":{"type":"TIMESTAMP"},"parameterValue":{"value":"2024-05-01T00:00:00Z"}},)"
                            R"({"name":"ids","parameterType":{"arrayType":{"type":"INT64"},"type":"ARRAY"},"parameterValue":{"arrayValues":[{"value":"1"},{"value":"2"}]}},)"
                            R"({"name":"none","parameterType":{"type":"INT64"},"parameterValue":{"value":null}}])"));
    }

    void testNullsAndArrays()
    {
        // NULL of any type, as bq reads it
        const auto nullString = QueryParameter::parse(u"s::NULL"_s);
        QVERIFY(nullString && nullString->isNull);
        QCOMPARE(nullString->toJson()[u"parameterValue"_s].toObject(), (QJsonObject {{u"value"_s, QJsonValue::Null}}));
        const auto nullArray = QueryParameter::parse(u"a:ARRAY<STRING>:NULL"_s);
        QVERIFY(nullArray && nullArray->isNull && nullArray->isArray);
        QCOMPARE(compact(nullArray->toJson()), QByteArray(R"({"name":"a","parameterType":{"arrayType":{"type":"STRING"},"type":"ARRAY"},"parameterValue":{"arrayValues":null}})"));
        // arrays: JSON, elements checked and canonical
        const auto strings = QueryParameter::parse(u"a:array< string >:[\"x\", \"y:z\"]"_s);
        QVERIFY(strings);
        QCOMPARE(strings->typeName(), u"ARRAY<STRING>"_s);
        QCOMPARE(strings->arrayValues, (QStringList {u"x"_s, u"y:z"_s}));
        const auto stamps = QueryParameter::parse(u"a:ARRAY<TIMESTAMP>:[\"2024-05-01 12:00:00 UTC\"]"_s);
        QVERIFY(stamps);
        QCOMPARE(stamps->arrayValues, QStringList {u"2024-05-01T12:00:00Z"_s});
        const auto bools = QueryParameter::parse(u"a:ARRAY<BOOL>:[true,\"false\"]"_s);
        QVERIFY(bools);
        QCOMPARE(bools->arrayValues, (QStringList {u"true"_s, u"false"_s}));
        // integers beyond 2^53 stay exact
        const auto big = QueryParameter::parse(u"a:ARRAY<INT64>:[9007199254740993, -9223372036854775808, \"9223372036854775807\", 1e3]"_s);
        QVERIFY(big);
        QCOMPARE(big->arrayValues, (QStringList {u"9007199254740993"_s, u"-9223372036854775808"_s, u"9223372036854775807"_s, u"1000"_s}));
        const auto floats = QueryParameter::parse(u"a:ARRAY<FLOAT64>:[1.5, 2, \"NaN\"]"_s);
        QVERIFY(floats);
        QCOMPARE(floats->arrayValues, (QStringList {u"1.5"_s, u"2"_s, u"NaN"_s}));
        // an empty array is sent as bq sends it, since an empty arrayValues reads as NULL
        const auto empty = QueryParameter::parse(u"a:ARRAY<INT64>:[]"_s);
        QVERIFY(empty && !empty->isNull);
        QCOMPARE(empty->toJson()[u"parameterValue"_s].toObject(), (QJsonObject {{u"value"_s, QJsonObject()}}));
    }

    void testErrorsSayWhatAndWhich_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("message");
        QTest::newRow("no colon") << u"n"_s << u"Query parameter \"n\": expected name:TYPE:value (an empty TYPE is STRING, as in name::value)."_s;
        QTest::newRow("one colon") << u"n:5"_s << u"Query parameter \"n:5\": expected name:TYPE:value"_s;
        QTest::newRow("positional") << u":INT64:5"_s << u"Query parameter \":INT64:5\" has no name: positional parameters (:TYPE:value) are not supported"_s;
        QTest::newRow("bad name") << u"a-b:INT64:5"_s << u"Query parameter name \"a-b\" is not valid: use letters, digits and underscores"_s;
        QTest::newRow("digit first") << u"1a:INT64:5"_s << u"Query parameter name \"1a\" is not valid"_s;
        QTest::newRow("unknown type") << u"n:INT:5"_s << u"Query parameter n has an unknown type \"INT\": use STRING, BYTES, INT64"_s;
        QTest::newRow("JSON not a parameter type") << u"n:JSON:{}"_s << u"Query parameter n has an unknown type \"JSON\""_s;
        QTest::newRow("STRUCT not supported") << u"n:STRUCT<a INT64>:{}"_s << u"Query parameter n has an unknown type \"STRUCT<a INT64>\""_s;
        QTest::newRow("INT64") << u"n:INT64:five"_s << u"Query parameter n (INT64): 'five' is not a whole number from -9223372036854775808 to 9223372036854775807."_s;
        QTest::newRow("INT64 overflow") << u"n:INT64:9223372036854775808"_s << u"Query parameter n (INT64): '9223372036854775808' is not a whole number"_s;
        QTest::newRow("INT64 fraction") << u"n:INT64:1.5"_s << u"'1.5' is not a whole number"_s;
        QTest::newRow("FLOAT64") << u"f:FLOAT64:abc"_s << u"Query parameter f (FLOAT64): 'abc' is not a floating-point number (or NaN, Infinity, -Infinity)."_s;
        QTest::newRow("NUMERIC") << u"n:NUMERIC:0.0000000001"_s << u"Query parameter n (NUMERIC): '0.0000000001' is not a NUMERIC (a decimal, at most 29 digits before the point and 9 after)."_s;
        QTest::newRow("BOOL") << u"b:BOOL:yes"_s << u"Query parameter b (BOOL): 'yes' is not true or false."_s;
        QTest::newRow("TIMESTAMP") << u"t:TIMESTAMP:yesterday"_s << u"Query parameter t (TIMESTAMP): 'yesterday' is not a timestamp"_s;
        QTest::newRow("TIMESTAMP epoch seconds") << u"t:TIMESTAMP:1714564800"_s << u"'1714564800' is not a timestamp"_s;
        QTest::newRow("DATE") << u"d:DATE:2023-02-29"_s << u"Query parameter d (DATE): '2023-02-29' is not a date (YYYY-MM-DD)."_s;
        QTest::newRow("TIME") << u"t:TIME:25:00:00"_s << u"Query parameter t (TIME): '25:00:00' is not a time"_s;
        QTest::newRow("DATETIME") << u"d:DATETIME:noon"_s << u"Query parameter d (DATETIME): 'noon' is not a datetime"_s;
        QTest::newRow("BYTES") << u"b:BYTES:not base64!"_s << u"Query parameter b (BYTES): 'not base64!' is not base64 (BYTES values are given in base64)."_s;
        QTest::newRow("array not JSON") << u"a:ARRAY<INT64>:1,2"_s << u"Query parameter a (ARRAY<INT64>): the value must be a JSON array"_s;
        QTest::newRow("array of objects") << u"a:ARRAY<INT64>:{\"a\":1}"_s << u"the value must be a JSON array"_s;
        QTest::newRow("array element") << u"a:ARRAY<INT64>:[1,\"x\"]"_s << u"Query parameter a (ARRAY<INT64>): element 1, \"x\", is not a whole number"_s;
        QTest::newRow("array fraction") << u"a:ARRAY<INT64>:[1.5]"_s << u"element 0, 1.5, is not a whole number"_s;
        QTest::newRow("array number beyond INT64") << u"a:ARRAY<INT64>:[1e30]"_s << u"element 0, 1e+30, is not a whole number from -9223372036854775808"_s;
        QTest::newRow("array NULL element") << u"a:ARRAY<STRING>:[\"a\",null]"_s << u"element 1, null, is NULL, and BigQuery arrays cannot hold NULL."_s;
        QTest::newRow("array number as STRING") << u"a:ARRAY<STRING>:[1]"_s << u"element 0, 1, is not a STRING value."_s;
        QTest::newRow("array of arrays") << u"a:ARRAY<ARRAY<INT64>>:[[1]]"_s << u"has an unknown type \"ARRAY<ARRAY<INT64>>\""_s;
    }

    void testErrorsSayWhatAndWhich()
    {
        QFETCH(QString, spec);
        QFETCH(QString, message);
        const Aq::Result<QueryParameter> parameter = QueryParameter::parse(spec);
        QVERIFY(!parameter);
        QVERIFY2(parameter.error().message.contains(message), qPrintable(parameter.error().message));
        QCOMPARE(parameter.error().status, u"INVALID_ARGUMENT"_s);
    }

    void testDuplicateNames()
    {
        const auto twice = Aq::BigQuery::parseQueryParameters({u"a:INT64:1"_s, u"A::x"_s});
        QVERIFY(!twice);
        QCOMPARE(twice.error().message, u"Query parameter A is given twice (names are case-insensitive)."_s);
        const auto bad = Aq::BigQuery::parseQueryParameters({u"a:INT64:1"_s, u"b:INT64:x"_s});
        QVERIFY(!bad);
        QVERIFY(bad.error().message.startsWith(u"Query parameter b (INT64)"_s));
        QVERIFY(Aq::BigQuery::parseQueryParameters({})->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestQueryParameter)
#include "testqueryparameter.moc"
