#include <set>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

#include "core/common/timeutil.h"
#include "core/pipeline/eventgenerator.h"
#include "core/pipeline/rowconverter.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Pipeline;

namespace
{
    const qint64 FixedNow = 1714564800123456;   // 2024-05-01T12:00:00.123456Z
    const QString FixedNowText = u"2024-05-01T12:00:00.123Z"_s;

    // Templates are written with ' for " to keep them readable here.
    QByteArray json(const char *text)
    {
        return QByteArray(text).replace('\'', '"');
    }

    const QRegularExpression &uuidPattern()
    {
        static const QRegularExpression pattern(u"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"_s);
        return pattern;
    }

    template <typename T>
    QString whyNot(const Result<T> &result)
    {
        return result ? QString() : result.error().message;
    }

    EventGenerator fromTemplate(const char *text, quint64 seed = 1, const QStringList &keyFields = {u"event_id"_s, u"id"_s})
    {
        Result<EventTemplate> compiled = EventTemplate::parse(json(text), u"test.json"_s, keyFields);
        if (!compiled)
            qFatal("template does not compile: %s", qPrintable(compiled.error().message));
        EventGenerator generator(std::move(*compiled), seed);
        generator.setClock([] { return FixedNow; });
        return generator;
    }

    QJsonObject parse(const QByteArray &data)
    {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(data, &error);
        if (error.error != QJsonParseError::NoError)
            qWarning("not JSON (%s): %s", qPrintable(error.errorString()), data.constData());
        return document.object();
    }

    QJsonObject renderOne(const char *text, quint64 seed = 1)
    {
        EventGenerator generator = fromTemplate(text, seed);
        return parse(generator.next().data);
    }
}

class TestEventGenerator final : public QObject
{
    Q_OBJECT

private slots:
    void seedEventsHaveTheSeedsShape()
    {
        EventGenerator generator(7);
        const Pipeline::RowConverter converter(RowConverter::defaultSchema());
        const QSet<QString> types {u"page_view"_s, u"click"_s, u"login"_s, u"form_submit"_s, u"purchase"_s};
        QSet<QString> seen;
        qint64 bytes = 0;
        const qint64 before = Time::nowMicros() / 1000 * 1000;
        const int events = 2000;
        for (int i = 0; i < events; ++i) {
            const GeneratedEvent event = generator.next();
            bytes += event.data.size();
            const QJsonObject e = parse(event.data);
            QVERIFY2(!e.isEmpty(), event.data.constData());
            const QString id = e.value(u"event_id"_s).toString();
            QVERIFY2(uuidPattern().match(id).hasMatch(), qPrintable(id));
            QCOMPARE(event.eventId, id.toLatin1());
            const QString timestamp = e.value(u"timestamp"_s).toString();
            QVERIFY2(timestamp.endsWith(u'Z'), qPrintable(timestamp));
            const std::optional<qint64> micros = Time::parseTimestamp(timestamp);
            QVERIFY2(micros && *micros >= before && *micros <= Time::nowMicros(), qPrintable(timestamp));
            const QString type = e.value(u"event_type"_s).toString();
            QVERIFY2(types.contains(type), qPrintable(type));
            seen.insert(type);
            const QString user = e.value(u"user_id"_s).toString();
            QVERIFY2(user.startsWith(u"user_"_s) && user.mid(5).toInt() >= 1 && user.mid(5).toInt() <= 1000, qPrintable(user));

            const QJsonObject data = e.value(u"event_data"_s).toObject();
            QCOMPARE(data.value(u"event_type"_s).toString(), type);
            QCOMPARE(data.value(u"user_id"_s).toString(), user);
            for (const QString &field : {u"page"_s, u"browser"_s, u"country"_s, u"device"_s})
                QVERIFY2(!data.value(field).toString().isEmpty(), qPrintable(field + u" in "_s + QString::fromUtf8(event.data)));
            QVERIFY(data.value(u"page"_s).toString().startsWith(u'/'));
            if (type == u"purchase"_s) {
                QVERIFY2(data.value(u"amount"_s).isDouble() && data.value(u"items"_s).isDouble(), event.data.constData());
                const double amount = data.value(u"amount"_s).toDouble();
                QVERIFY(amount >= 4.99 && amount <= 499.99);
                QCOMPARE(std::round(amount * 100) / 100, amount);
                const double items = data.value(u"items"_s).toDouble();
                QVERIFY(items >= 1 && items <= 10 && std::trunc(items) == items);
                QCOMPARE(data.value(u"page"_s).toString(), u"/checkout"_s);
            } else {
                QVERIFY2(!data.contains(u"amount"_s) && !data.contains(u"items"_s), event.data.constData());
            }
            if (type == u"login"_s)
                QCOMPARE(data.value(u"page"_s).toString(), u"/login"_s);
            // What --validate and the pipeline check.
            const Status valid = converter.validate(event.data);
            QVERIFY2(valid, qPrintable(whyNot(valid)));
        }
        QCOMPARE(seen, types);
        QCOMPARE(generator.generated(), qint64(events));
        const qint64 average = bytes / events;
        QVERIFY2(average >= 250 && average <= 350, qPrintable(u"average event size %1 bytes"_s.arg(average)));
    }

    void aSeedRepeatsTheWholeSequence()
    {
        EventGenerator first(42);
        EventGenerator second(42);
        EventGenerator other(43);
        first.setClock([] { return FixedNow; });
        second.setClock([] { return FixedNow; });
        bool differs = false;
        for (int i = 0; i < 1000; ++i) {
            const GeneratedEvent a = first.next();
            const GeneratedEvent b = second.next();
            QCOMPARE(a.data, b.data);
            QCOMPARE(a.eventId, b.eventId);
            differs = differs || other.next().eventId != a.eventId;
        }
        QVERIFY(differs);
        QCOMPARE(first.seed(), quint64(42));

        // With the real clock only the timestamps may differ.
        EventGenerator third(42);
        EventGenerator fourth(42);
        for (int i = 0; i < 100; ++i) {
            QJsonObject a = parse(third.next().data);
            QJsonObject b = parse(fourth.next().data);
            a.remove(u"timestamp"_s);
            b.remove(u"timestamp"_s);
            QCOMPARE(a, b);
        }

        // A template repeats too, and a copy of a generator goes on exactly as the original (what --validate uses).
        EventGenerator templated = fromTemplate("{'id':'{{uuid}}','n':'{{int:1:1000000}}','f':'{{float:0:1}}','c':'{{choice:a,b,c}}'}", 9);
        EventGenerator again = fromTemplate("{'id':'{{uuid}}','n':'{{int:1:1000000}}','f':'{{float:0:1}}','c':'{{choice:a,b,c}}'}", 9);
        templated.next();
        again.next();
        EventGenerator copy = templated;
        for (int i = 0; i < 100; ++i) {
            const QByteArray expected = again.next().data;
            QCOMPARE(templated.next().data, expected);
            QCOMPARE(copy.next().data, expected);
        }
    }

    void uuidsAreVersion4AndDistinct()
    {
        EventRandom random(3);
        std::set<QByteArray> ids;
        for (int i = 0; i < 20000; ++i) {
            QByteArray id;
            random.appendUuid(id);
            QVERIFY2(uuidPattern().match(QString::fromLatin1(id)).hasMatch(), id.constData());
            ids.insert(id);
        }
        QCOMPARE(ids.size(), std::size_t(20000));
    }

    void eachPlaceholder()
    {
        EventGenerator generator = fromTemplate(
            "{'u':'{{uuid}}','t':'{{now}}','c':'{{choice:red, green ,blue}}','i':'{{int:-3:3}}','f':'{{float:1.5:2.5}}',"
            "'d':'{{float:0:10:2}}','z':'{{float:0:1000:0}}','s':'{{seq}}','s100':'{{seq:100}}','sneg':'{{seq:-5}}'}");
        QSet<QString> colours;
        QSet<int> integers;
        for (int i = 0; i < 500; ++i) {
            const QByteArray data = generator.next().data;
            const QJsonObject e = parse(data);
            QVERIFY2(uuidPattern().match(e.value(u"u"_s).toString()).hasMatch(), data.constData());
            QCOMPARE(e.value(u"t"_s).toString(), FixedNowText);
            colours.insert(e.value(u"c"_s).toString());
            QVERIFY2(e.value(u"i"_s).isDouble(), data.constData());
            const double integer = e.value(u"i"_s).toDouble();
            QVERIFY(integer >= -3 && integer <= 3 && std::trunc(integer) == integer);
            integers.insert(int(integer));
            const double f = e.value(u"f"_s).toDouble();
            QVERIFY2(e.value(u"f"_s).isDouble() && f >= 1.5 && f < 2.5, data.constData());
            // Fixed decimals: the text has exactly two digits after the point.
            static const QRegularExpression twoDecimals(u"\"d\":\\d{1,2}\\.\\d\\d[,}]"_s);
            QVERIFY2(twoDecimals.match(QString::fromLatin1(data)).hasMatch(), data.constData());
            static const QRegularExpression noDecimals(u"\"z\":\\d{1,4}[,}]"_s);
            QVERIFY2(noDecimals.match(QString::fromLatin1(data)).hasMatch(), data.constData());
            QCOMPARE(e.value(u"s"_s).toInt(), i + 1);
            QCOMPARE(e.value(u"s100"_s).toInt(), i + 100);
            QCOMPARE(e.value(u"sneg"_s).toInt(), i - 5);
        }
        QCOMPARE(colours, (QSet<QString> {u"red"_s, u"green"_s, u"blue"_s}));
        QCOMPARE(integers.size(), 7);

        // The whole 64-bit range, and a range of one.
        const QJsonObject wide = renderOne("{'a':'{{int:-9223372036854775808:9223372036854775807}}','b':'{{int:5:5}}','c':'{{float:2:2}}'}");
        QVERIFY(wide.value(u"a"_s).isDouble());
        QCOMPARE(wide.value(u"b"_s).toInt(), 5);
        QCOMPARE(wide.value(u"c"_s).toDouble(), 2.0);
    }

    void numericPlaceholdersAloneAreNumbers_data()
    {
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<bool>("isNumber");
        QTest::newRow("int") << json("'{{int:1:5}}'") << true;
        QTest::newRow("int, spaces inside") << json("'{{ int : 1 : 5 }}'") << true;
        QTest::newRow("float") << json("'{{float:0:1}}'") << true;
        QTest::newRow("float with decimals") << json("'{{float:0:1:3}}'") << true;
        QTest::newRow("seq") << json("'{{seq}}'") << true;
        QTest::newRow("seq with start") << json("'{{seq:10}}'") << true;
        QTest::newRow("int in text") << json("'n{{int:1:5}}'") << false;
        QTest::newRow("two ints") << json("'{{int:1:5}}{{int:1:5}}'") << false;
        QTest::newRow("int then space") << json("'{{int:1:5}} '") << false;
        QTest::newRow("choice of digits") << json("'{{choice:1,2}}'") << false;
        QTest::newRow("uuid") << json("'{{uuid}}'") << false;
        QTest::newRow("now") << json("'{{now}}'") << false;
    }

    void numericPlaceholdersAloneAreNumbers()
    {
        QFETCH(QByteArray, value);
        QFETCH(bool, isNumber);
        const QByteArray text = "{\"v\":" + value + "}";
        const QJsonObject e = renderOne(text.constData());
        QCOMPARE(e.value(u"v"_s).isDouble(), isNumber);
        QCOMPARE(e.value(u"v"_s).isString(), !isNumber);
    }

    void literalsAreKeptAsWritten()
    {
        // Key order, nesting, escapes, non-ASCII text, numbers and literals survive; whitespace goes.
        const QByteArray text = "{\n  \"z\": 1.5e3, \"a\": [true, null, false, -0.25, {\"k\": \"v\"}],\n"
                                "  \"q\": \"say \\\"hi\\\" \\\\ \\u00e9 \\n {{seq}}\", \"\\u00fcber\": \"\xc3\xa4\"\n}";
        Result<EventTemplate> compiled = EventTemplate::parse(text, u"t"_s);
        QVERIFY2(compiled, qPrintable(whyNot(compiled)));
        EventGenerator generator(std::move(*compiled), 1);
        const QByteArray data = generator.next().data;
        QCOMPARE(data, "{\"z\":1.5e3,\"a\":[true,null,false,-0.25,{\"k\":\"v\"}],\"q\":\"say \\\"hi\\\" \\\\ \\u00e9 \\n 1\",\"\\u00fcber\":\"\xc3\xa4\"}"_ba);
        const QJsonObject e = parse(data);
        QCOMPARE(e.value(u"q"_s).toString(), u"say \"hi\" \\ \u00e9 \n 1"_s);
        QCOMPARE(e.value(u"\u00fcber"_s).toString(), u"\u00e4"_s);

        // \u007b{ is how a template writes a literal "{{"; a choice may hold escapes and non-ASCII text.
        const QJsonObject literal = renderOne("{'a':'\\u007b{uuid}}','b':'{{choice:\\u00e9\\\"}}'}");
        QCOMPARE(literal.value(u"a"_s).toString(), u"{{uuid}}"_s);
        QCOMPARE(literal.value(u"b"_s).toString(), u"\u00e9\""_s);
    }

    void theKeyFieldIsTheEventId_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("keyFields");
        QTest::addColumn<QByteArray>("eventId");
        QTest::addColumn<QString>("keyField");
        const QStringList design {u"event_id"_s, u"id"_s};
        QTest::newRow("event_id") << json("{'x':1,'event_id':'e-{{seq}}','id':'other'}") << design << "e-1"_ba << u"event_id"_s;
        QTest::newRow("id") << json("{'id':'{{seq:7}}'}") << design << "7"_ba << u"id"_s;
        QTest::newRow("escaped") << json("{'event_id':'a\\\"b'}") << design << "a\"b"_ba << u"event_id"_s;
        QTest::newRow("nested is not the key") << json("{'data':{'event_id':'x'}}") << design << QByteArray() << QString();
        QTest::newRow("the key column") << json("{'event_id':'a','order_no':'o{{seq}}'}") << QStringList {u"order_no"_s} << "o1"_ba
                                        << u"order_no"_s;
    }

    void theKeyFieldIsTheEventId()
    {
        QFETCH(QByteArray, text);
        QFETCH(QStringList, keyFields);
        QFETCH(QByteArray, eventId);
        QFETCH(QString, keyField);
        Result<EventTemplate> compiled = EventTemplate::parse(text, u"t"_s, keyFields);
        QVERIFY2(compiled, qPrintable(whyNot(compiled)));
        QCOMPARE(compiled->keyField(), keyField);
        EventGenerator generator(std::move(*compiled), 1);
        QCOMPARE(generator.next().eventId, eventId);
    }

    void badTemplatesSayWhatAndWhere_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("expected");   // each must appear in the message
        QTest::newRow("not JSON") << json("{\n  'a': 1,\n  'b': }") << QStringList {u"not valid JSON"_s, u"line 3"_s};
        QTest::newRow("an array") << json("[{'a':1}]") << QStringList {u"array"_s, u"one JSON object"_s};
        QTest::newRow("unknown placeholder") << json("{\n  'a': 1,\n  'data': {'b': 'x {{nope:1}}'}\n}")
                                             << QStringList {u"{{nope:1}}"_s, u"unknown placeholder \"nope\""_s, u"line 3, column 20"_s,
                                                             u"(at data.b)"_s, u"uuid, now, choice"_s};
        QTest::newRow("int MIN > MAX") << json("{'n':'{{int:10:1}}'}") << QStringList {u"{{int:10:1}}"_s, u"MIN (10) is greater than MAX (1)"_s, u"(at n)"_s};
        QTest::newRow("int not a number") << json("{'n':'{{int:a:1}}'}") << QStringList {u"{{int:a:1}}"_s, u"two integers"_s};
        QTest::newRow("int one bound") << json("{'n':'{{int:5}}'}") << QStringList {u"{{int:5}}"_s, u"{{int:MIN:MAX}}"_s};
        QTest::newRow("float MIN > MAX") << json("{'n':'{{float:2.5:1}}'}") << QStringList {u"{{float:2.5:1}}"_s, u"MIN (2.5)"_s};
        QTest::newRow("float not a number") << json("{'n':'{{float:x:1}}'}") << QStringList {u"{{float:x:1}}"_s, u"two numbers"_s};
        QTest::newRow("float decimals") << json("{'n':'{{float:0:1:40}}'}") << QStringList {u"{{float:0:1:40}}"_s, u"DECIMALS"_s};
        QTest::newRow("float too wide") << json("{'n':'{{float:-1e308:1e308}}'}") << QStringList {u"wider"_s};
        QTest::newRow("choice empty") << json("{'c':'{{choice:}}'}") << QStringList {u"{{choice:}}"_s, u"values to choose from"_s};
        QTest::newRow("choice stray comma") << json("{'c':'{{choice:a,,b}}'}") << QStringList {u"value 2 of 3 is empty"_s};
        QTest::newRow("seq start") << json("{'s':'{{seq:first}}'}") << QStringList {u"{{seq:first}}"_s, u"START"_s};
        QTest::newRow("uuid arguments") << json("{'u':'{{uuid:4}}'}") << QStringList {u"takes no arguments"_s};
        QTest::newRow("unclosed") << json("{'a':[1,'{{uuid']}") << QStringList {u"no \"}}\" closes"_s, u"(at a[1])"_s, u"column 10"_s};
        QTest::newRow("placeholder in a key") << json("{'{{uuid}}':1}") << QStringList {u"key"_s, u"string values only"_s};
    }

    void badTemplatesSayWhatAndWhere()
    {
        QFETCH(QByteArray, text);
        QFETCH(QStringList, expected);
        const Result<EventTemplate> compiled = EventTemplate::parse(text, u"events.json"_s);
        QVERIFY(!compiled);
        const QString message = compiled.error().message;
        QVERIFY2(message.contains(u"events.json"_s), qPrintable(message));
        for (const QString &part : expected)
            QVERIFY2(message.contains(part), qPrintable(u"\""_s + part + u"\" is not in: "_s + message));
    }

    void loadNamesTheFile()
    {
        const Result<EventTemplate> missing = EventTemplate::load(u"/nonexistent/template.json"_s);
        QVERIFY(!missing);
        QVERIFY2(missing.error().message.contains(u"/nonexistent/template.json"_s), qPrintable(missing.error().message));
    }
};

QTEST_GUILESS_MAIN(TestEventGenerator)
#include "testeventgenerator.moc"
