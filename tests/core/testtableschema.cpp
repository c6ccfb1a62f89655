#include <QJsonDocument>
#include <QTest>

#include "core/bigquery/tableschema.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::FieldMode;
using Aq::BigQuery::FieldType;
using Aq::BigQuery::TableSchema;

namespace
{
    QJsonValue json(const char *text)
    {
        return QJsonDocument::fromJson(text).object().value(u"schema"_s);
    }
}

class TestTableSchema final : public QObject
{
    Q_OBJECT

private slots:
    void testParsesEveryTypeAndAlias()
    {
        const auto schema = TableSchema::fromJson(json(R"({"schema":{"fields":[
            {"name":"id","type":"INT64","mode":"REQUIRED"},
            {"name":"f","type":"FLOAT"},{"name":"b","type":"BOOL"},{"name":"ts","type":"TIMESTAMP"},
            {"name":"tags","type":"STRING","mode":"REPEATED"},{"name":"meta","type":"JSON"},
            {"name":"attrs","type":"STRUCT","mode":"REPEATED","fields":[{"name":"key","type":"STRING"},{"name":"value","type":"STRING"}]}]}})"));
        QVERIFY2(schema.hasValue(), schema ? "" : qPrintable(schema.error().message));
        QCOMPARE(schema->fields.size(), 7);
        QCOMPARE(schema->fields[0].type, FieldType::Int64);
        QCOMPARE(schema->fields[0].mode, FieldMode::Required);
        QCOMPARE(schema->fields[6].type, FieldType::Record);
        QCOMPARE(schema->fields[6].fields.size(), 2);
        QCOMPARE(schema->indexOf(u"TS"_s), 3);
        // answers use the legacy names, and the answer parses back to the same schema
        const QJsonObject out = schema->toJson();
        QCOMPARE(out[u"fields"_s].toArray()[0].toObject()[u"type"_s].toString(), u"INTEGER"_s);
        QCOMPARE(out[u"fields"_s].toArray()[6].toObject()[u"type"_s].toString(), u"RECORD"_s);
        QCOMPARE(TableSchema::fromJson(out).value(), schema.value());
    }

    void testRejectsBadSchemas_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("bad name") << QByteArray(R"({"schema":[{"name":"a-b","type":"STRING"}]})") << u"a-b"_s;
        QTest::newRow("duplicate") << QByteArray(R"({"schema":[{"name":"a","type":"STRING"},{"name":"A","type":"INT64"}]})") << u"already exists"_s;
        QTest::newRow("bad type") << QByteArray(R"({"schema":[{"name":"a","type":"VARCHAR"}]})") << u"VARCHAR"_s;
        QTest::newRow("bad mode") << QByteArray(R"({"schema":[{"name":"a","type":"STRING","mode":"OPTIONAL"}]})") << u"OPTIONAL"_s;
        QTest::newRow("empty record") << QByteArray(R"({"schema":[{"name":"r","type":"RECORD"}]})") << u"no schema"_s;
        QTest::newRow("reserved") << QByteArray(R"({"schema":[{"name":"_aq_seq","type":"INT64"}]})") << u"reserved"_s;
        QTest::newRow("not a schema") << QByteArray(R"({"schema":5})") << u"schema"_s;
    }

    void testRejectsBadSchemas()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, mentions);
        const auto schema = TableSchema::fromJson(json(text.constData()));
        QVERIFY(!schema.hasValue());
        QCOMPARE(schema.error().httpStatus, 400);
        QVERIFY2(schema.error().message.contains(mentions, Qt::CaseInsensitive), qPrintable(schema.error().message));
    }
};

QTEST_APPLESS_MAIN(TestTableSchema)
#include "testtableschema.moc"
