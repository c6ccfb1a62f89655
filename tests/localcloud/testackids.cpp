#include <QJsonDocument>
#include <QTest>

#include "core/localcloud/ackids.h"

using namespace Qt::Literals::StringLiterals;
using Aq::LocalCloud::AckId;

class TestAckIds final : public QObject
{
    Q_OBJECT

private slots:
    // The body's text and its QJsonObject give the same ids and the same errors.
    void testTextReadsAsTheObject_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("pull's ids") << QByteArray(R"({"ackIds":["1-2-1","1-123456789012-5","7-0-0"]})");
        QTest::newRow("snake case") << QByteArray(R"({"ack_ids":["1-2-1"]})");
        QTest::newRow("both") << QByteArray(R"({"ack_ids":["9-9-9"],"ackIds":["1-2-1"]})");
        QTest::newRow("leading zeros, sign") << QByteArray(R"({"ackIds":["01-002-3","+1-2-3"]})");
        QTest::newRow("spaces and other fields") << QByteArray(R"( { "x" : 1 , "ackIds" : [ "1-2-1" ] } )");
        QTest::newRow("four parts") << QByteArray(R"({"ackIds":["1-2-3-4"]})");
        QTest::newRow("garbage") << QByteArray(R"({"ackIds":["1-2-1","garbage"]})");
        QTest::newRow("attempt too large") << QByteArray(R"({"ackIds":["1-2-99999999999"]})");
        QTest::newRow("not a string") << QByteArray(R"({"ackIds":[12]})");
        QTest::newRow("none") << QByteArray(R"({"ackIds":[]})");
        QTest::newRow("empty body") << QByteArray();
    }

    void testTextReadsAsTheObject()
    {
        QFETCH(QByteArray, body);
        const Aq::Result<QList<AckId>> fromText = Aq::LocalCloud::parseAckIds(body);
        const Aq::Result<QList<AckId>> fromObject = Aq::LocalCloud::parseAckIds(QJsonDocument::fromJson(body).object());
        QCOMPARE(fromText.hasValue(), fromObject.hasValue());
        if (!fromText) {
            QCOMPARE(fromText.error().message, fromObject.error().message);
            return;
        }
        QCOMPARE(fromText->size(), fromObject->size());
        for (qsizetype i = 0; i < fromText->size(); ++i) {
            QCOMPARE((*fromText)[i].subscriptionId, (*fromObject)[i].subscriptionId);
            QCOMPARE((*fromText)[i].messageId, (*fromObject)[i].messageId);
            QCOMPARE((*fromText)[i].attempt, (*fromObject)[i].attempt);
        }
    }

    void testNotJson()
    {
        QVERIFY(Aq::LocalCloud::parseAckIds(QByteArray("{")).error().message.startsWith(u"Invalid JSON payload received."_s));
    }
};

QTEST_APPLESS_MAIN(TestAckIds)
#include "testackids.moc"
