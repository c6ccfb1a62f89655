#include <QTest>

#include "core/localcloud/compactjson.h"

namespace CompactJson = Aq::LocalCloud::CompactJson;

class TestCompactJson final : public QObject
{
    Q_OBJECT

private slots:
    void testSameTextAsSimdjsonMinify_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("seed event") << QByteArray("{\"page\":\"/products/12\",\"browser\":\"firefox\",\"country\":\"DE\",\"amount\":12.34}");
        QTest::newRow("spaces and nesting") << QByteArray(" { \"a\" : [ 1 , 2 , { } , [ ] , null , true , false ] , \"b\" : { \"c\" : \"d\" } } ");
        QTest::newRow("escapes") << QByteArray("[\"q\\\"b\\\\s\\/ \\b\\f\\n\\r\\t \\u0001\\u001f\\u007f é \\u00e9 \\ud83d\\ude00\", {\"k\\\"ey\\n\": 1}]");
        QTest::newRow("integers") << QByteArray("[0,-0,1,-1,9223372036854775807,-9223372036854775808,18446744073709551615,10000000000000000000]");
        QTest::newRow("doubles") << QByteArray("[0.0,-0.0,1.5,-2.25,1e300,-1e-300,3.141592653589793,0.1,1e21,1E2,12.340,5e-324,1.7976931348623157e308]");
        QTest::newRow("scalar string") << QByteArray("\"text\"");
        QTest::newRow("deep") << QByteArray(QByteArray("[").repeated(40) + "1" + QByteArray("]").repeated(40));
    }

    void testSameTextAsSimdjsonMinify()
    {
        QFETCH(QByteArray, json);
        simdjson::dom::parser parser;
        simdjson::dom::element element;
        QCOMPARE(parser.parse(json.constData(), size_t(json.size())).get(element), simdjson::SUCCESS);
        std::string ours = "prefix";   // appends: what is there stays
        CompactJson::append(ours, element);
        QCOMPARE(QByteArray::fromStdString(ours), "prefix" + QByteArray::fromStdString(simdjson::minify(element)));
    }
};

QTEST_APPLESS_MAIN(TestCompactJson)
#include "testcompactjson.moc"
