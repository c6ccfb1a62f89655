// The Rows page's SQL without a server: the WHERE clause checks, where values go (parameters, never the text),
// error positions, the time bounds people type, and the cell formats of copy and export.
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include "core/bigquery/timestamp.h"
#include "core/common/timeutil.h"
#include "core/pipeline/rowconverter.h"
#include "ui/rows/rowformat.h"
#include "ui/rows/rowquery.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Ui;

namespace
{
    RowsTable eventsTable()
    {
        RowsTable table;
        table.project = u"p"_s;
        table.dataset = u"analytics"_s;
        table.table = u"events"_s;
        table.schema = Pipeline::RowConverter::defaultSchema();
        return table;
    }

    QString parameterValue(const BigQuery::QueryRequest &request, const QString &name)
    {
        for (const BigQuery::QueryParameter &p : request.parameters) {
            if (p.name == name)
                return p.value;
        }
        return u"<missing>"_s;
    }
}

class TestRowQuery final : public QObject
{
    Q_OBJECT

private slots:
    void whereClauseChecks_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("empty") << QString() << true;
        QTest::newRow("plain") << u"event_type = 'click' AND (user_id = 'a' OR user_id = 'b')"_s << true;
        QTest::newRow("; in a string") << u"event_type = 'a;b'"_s << true;
        QTest::newRow("parentheses in strings") << u"event_type IN ('(', \")\", '''(''')"_s << true;
        QTest::newRow("escaped quote") << u"event_type = 'it\\'s )'"_s << true;
        QTest::newRow("raw string") << u"event_type LIKE r'\\d)'"_s << true;
        QTest::newRow("quoted name") << u"`event_type` = 'x'"_s << true;
        QTest::newRow("line comment") << u"TRUE -- ; and ) here"_s << true;
        QTest::newRow("hash comment") << u"TRUE # )"_s << true;
        QTest::newRow("block comment") << u"TRUE /* ; ) */"_s << true;
        QTest::newRow("identifier ending in r") << u"user_id = 'u'"_s << true;
        QTest::newRow("statement") << u"TRUE; DELETE FROM t WHERE TRUE"_s << false;
        QTest::newRow("trailing ;") << u"TRUE;"_s << false;
        QTest::newRow("escapes the parentheses") << u"TRUE) OR (TRUE"_s << false;
        QTest::newRow("closes first") << u")"_s << false;
        QTest::newRow("left open") << u"((TRUE)"_s << false;
        QTest::newRow("unclosed string") << u"event_type = 'click"_s << false;
        QTest::newRow("unclosed triple") << u"event_type = '''click"_s << false;
        QTest::newRow("unclosed quoted name") << u"`event_type = 1"_s << false;
        QTest::newRow("unclosed comment") << u"TRUE /* and"_s << false;
    }

    void whereClauseChecks()
    {
        QFETCH(QString, text);
        QFETCH(bool, accepted);
        const Status status = validateWhereClause(text);
        QVERIFY2(bool(status) == accepted, qPrintable(status ? u"accepted"_s : status.error().message));
    }

    void valuesTravelAsParameters()
    {
        RowFilters filters;
        filters.eventType = u"x' OR '1'='1"_s;
        filters.userId = u"u`1"_s;
        filters.sinceMicros = 1714564800LL * 1000000;
        filters.untilMicros = 1714568400LL * 1000000;
        filters.where = u"JSON_VALUE(event_data, '$.n') = '1' -- note"_s;
        RowQuery query(eventsTable(), filters);
        QVERIFY(query.validate());
        const BigQuery::QueryRequest count = query.countRequest();
        QVERIFY(!count.sql.contains(filters.eventType));
        QVERIFY(!count.sql.contains(filters.userId));
        QCOMPARE(parameterValue(count, u"aq_event_type"_s), filters.eventType);
        QCOMPARE(parameterValue(count, u"aq_user_id"_s), filters.userId);
        QCOMPARE(parameterValue(count, u"aq_since"_s), u"2024-05-01T12:00:00Z"_s);
        QCOMPARE(parameterValue(count, u"aq_until"_s), u"2024-05-01T13:00:00Z"_s);
        // The free condition sits on lines of its own, first: its comment ends there, its positions map back.
        QVERIFY2(count.sql.startsWith(u"SELECT COUNT(*) AS row_count FROM `p.analytics.events` WHERE (\nJSON_VALUE(event_data, '$.n') = '1' -- note\n) AND "_s),
                 qPrintable(count.sql));

        query.setPin(SortKey {u"2024-05-01T12:30:00Z"_s, u"2024-05-01T12:30:01.5Z"_s, u"e-9"_s});
        const BigQuery::QueryRequest page = query.pageAfterRequest({u"2024-05-01T12:10:00Z"_s, u"1970-01-01T00:00:00Z"_s, u"e-1"_s}, 200);
        QVERIFY2(page.sql.contains(u"ORDER BY `timestamp` DESC, COALESCE(`ingest_time`, TIMESTAMP '1970-01-01 00:00:00 UTC') DESC, `event_id` DESC LIMIT 200"_s),
                 qPrintable(page.sql));
        QVERIFY2(page.sql.contains(u"`timestamp` <= @aq_key0 AND (`timestamp` < @aq_key0 OR (`timestamp` = @aq_key0 AND (COALESCE"_s), qPrintable(page.sql));
        QCOMPARE(parameterValue(page, u"aq_key2"_s), u"e-1"_s);
        // The pin keeps later rows out of a count and of a jump; rows after a row of the snapshot need no pin (and
        // a second bound on `timestamp` would make SQLite start its range at the pin).
        QVERIFY2(!page.sql.contains(u"aq_pin"_s), qPrintable(page.sql));
        const BigQuery::QueryRequest pinnedCount = query.countRequest();
        QVERIFY2(pinnedCount.sql.contains(u"`event_id` <= @aq_pin2"_s), qPrintable(pinnedCount.sql));
        QCOMPARE(parameterValue(pinnedCount, u"aq_pin1"_s), u"2024-05-01T12:30:01.5Z"_s);
        const auto split = query.splitCountRequests();
        QVERIFY(split);
        QVERIFY2(split->first.sql.endsWith(u"AND `timestamp` <= @aq_pin0"_s), qPrintable(split->first.sql));
        QVERIFY2(split->second.sql.contains(u"`timestamp` = @aq_key0 AND `timestamp` >= @aq_key0"_s), qPrintable(split->second.sql));
        QVERIFY(query.pageBeforeRequest({u"2024-05-01T12:10:00Z"_s, u"1970-01-01T00:00:00Z"_s, u"e-1"_s}, 50).sql.contains(u"@aq_pin2"_s));
        const auto window = query.positionWindowRequest(5000, 1000);
        QVERIFY(window);
        QVERIFY2(window->sql.startsWith(u"SELECT `timestamp` FROM"_s) && window->sql.endsWith(u"ORDER BY `timestamp` DESC LIMIT 1001 OFFSET 4000"_s), qPrintable(window->sql));
        QVERIFY(!query.pageFromRequest(u"2024-05-01T12:10:00Z"_s, 3, 200).sql.contains(u"aq_pin"_s));
        QVERIFY(query.pageFromRequest(u"2024-05-01T12:30:00Z"_s, 3, 200).sql.contains(u"aq_pin"_s));
        QVERIFY(query.pageFromRequest(u"2024-05-01T12:10:00Z"_s, 3, 200).sql.endsWith(u"DESC LIMIT 200 OFFSET 3"_s));
        const BigQuery::QueryRequest before = query.pageBeforeRequest({u"2024-05-01T12:10:00Z"_s, u"1970-01-01T00:00:00Z"_s, u"e-1"_s}, 50);
        QVERIFY2(before.sql.endsWith(u"ORDER BY `timestamp`, COALESCE(`ingest_time`, TIMESTAMP '1970-01-01 00:00:00 UTC'), `event_id` LIMIT 50"_s), qPrintable(before.sql));
        QVERIFY(before.sql.contains(u"`timestamp` >= @aq_key0"_s));
        QVERIFY(query.pageRequest(400, 200).sql.endsWith(u"LIMIT 200 OFFSET 400"_s));
    }

    void sortKeysComeFromTheRow()
    {
        const RowQuery query(eventsTable(), {});
        QVariantList row(8);
        row[0] = u"e-7"_s;
        row[3] = QVariant::fromValue(BigQuery::Timestamp {1714564800123456});
        QCOMPARE(query.sortKeyOf(row), (SortKey {u"2024-05-01T12:00:00.123456Z"_s, u"1970-01-01T00:00:00Z"_s, u"e-7"_s}));
        row[7] = QVariant::fromValue(BigQuery::Timestamp {1714564801000000});
        QCOMPARE(query.sortKeyOf(row).value(1), u"2024-05-01T12:00:01Z"_s);
    }

    void filtersOnColumnsTheTableLacksAreRefused()
    {
        RowsTable table = eventsTable();
        table.schema.fields.removeAt(1);   // event_type
        RowFilters filters;
        filters.eventType = u"click"_s;
        QVERIFY(!RowQuery(table, filters).validate());
        table.keyColumn = u"nope"_s;
        QVERIFY(!RowQuery(table, {}).validate());
        RowFilters backwards;
        backwards.sinceMicros = 2;
        backwards.untilMicros = 1;
        QVERIFY(!RowQuery(eventsTable(), backwards).validate());
    }

    void errorPositionsPointIntoTheWhereClause()
    {
        RowFilters filters;
        filters.where = u"a = 1\nAND nope = 2"_s;
        const RowQuery query(eventsTable(), filters);
        QCOMPARE(query.explainError(u"Unrecognized name: nope at [3:5]"_s), u"Unrecognized name: nope at [2:5] in the WHERE clause"_s);
        QCOMPARE(query.explainError(u"Unrecognized name: a at [2:1]"_s), u"Unrecognized name: a at [1:1] in the WHERE clause"_s);
        QCOMPARE(query.explainError(u"Something at [1:40]"_s), u"Something at [1:40]"_s);
        QCOMPARE(query.explainError(u"Not found: Table p:analytics.events"_s), u"Not found: Table p:analytics.events"_s);
    }

    void timeBoundsAsPeopleTypeThem()
    {
        const qint64 now = 1714564800LL * 1000000;
        QCOMPARE(parseTimeBound(u""_s, TimeDisplay::Utc, now).value(), std::optional<qint64>());
        QCOMPARE(parseTimeBound(u"15m"_s, TimeDisplay::Utc, now).value(), std::optional<qint64>(now - 15LL * 60 * 1000000));
        QCOMPARE(parseTimeBound(u"2d"_s, TimeDisplay::Local, now).value(), std::optional<qint64>(now - 2LL * 86400 * 1000000));
        QCOMPARE(parseTimeBound(u"2024-05-01 11:00"_s, TimeDisplay::Utc, now).value(), std::optional<qint64>(now - 3600LL * 1000000));
        QCOMPARE(parseTimeBound(u"2024-05-01T11:00:00Z"_s, TimeDisplay::Local, now).value(), std::optional<qint64>(now - 3600LL * 1000000));
        // Local: the wall clock of this machine (TZ is set for this test).
        QCOMPARE(parseTimeBound(u"2024-05-01 17:30"_s, TimeDisplay::Local, now).value(), std::optional<qint64>(now));
        QVERIFY(!parseTimeBound(u"yesterday"_s, TimeDisplay::Utc, now));
    }

    void cellFormats()
    {
        QCOMPARE(timestampText(1714564800123456, TimeDisplay::Utc), u"2024-05-01 12:00:00.123456 UTC"_s);
        QCOMPARE(timestampText(1714564800000000, TimeDisplay::Local), u"2024-05-01 17:30:00 +05:30"_s);
        QCOMPARE(timestampText(-1, TimeDisplay::Utc), u"1969-12-31 23:59:59.999999 UTC"_s);

        const QList<BigQuery::TableField> fields = Pipeline::RowConverter::defaultSchema().fields;
        QVariantList row(8);
        row[0] = u"e-1"_s;
        row[1] = u"cl,ick"_s;
        row[2] = u"say \"hi\""_s;
        row[3] = QVariant::fromValue(BigQuery::Timestamp {1714564800000000});
        row[4] = QVariant::fromValue(QJsonValue(QJsonObject {{u"b"_s, 1}, {u"a"_s, u"x\ty"_s}}));
        QByteArray csv;
        appendCsvRow(fields, row, csv);
        QCOMPARE(csv, QByteArray("e-1,\"cl,ick\",\"say \"\"hi\"\"\",2024-05-01 12:00:00 UTC,\"{\"\"a\"\":\"\"x\\ty\"\",\"\"b\"\":1}\",,,\r\n"));
        QCOMPARE(csvHeader(fields), QByteArray("event_id,event_type,user_id,timestamp,event_data,message_id,publish_time,ingest_time\r\n"));
        QByteArray json;
        appendJsonRow(fields, row, json);
        QCOMPARE(json, QByteArray("{\"event_id\":\"e-1\",\"event_type\":\"cl,ick\",\"user_id\":\"say \\\"hi\\\"\",\"timestamp\":\"2024-05-01 12:00:00 UTC\","
                                  "\"event_data\":{\"a\":\"x\\ty\",\"b\":1},\"message_id\":null,\"publish_time\":null,\"ingest_time\":null}"));
        const QJsonObject parsed = QJsonDocument::fromJson(prettyJsonRow(fields, row).toUtf8()).object();
        QCOMPARE(parsed.value(u"event_data"_s).toObject().value(u"a"_s).toString(), u"x\ty"_s);
        QCOMPARE(parsed.keys().size(), 8);
        QVERIFY(prettyJsonRow(fields, row).startsWith(u"{\n  \"event_id\": \"e-1\",\n"_s));
        QVERIFY2(prettyJsonRow(fields, row).contains(u"  \"event_data\": {\n    \"a\": \"x\\ty\",\n    \"b\": 1\n  },\n"_s), qPrintable(prettyJsonRow(fields, row)));
        QCOMPARE(tsvRow(fields, row, TimeDisplay::Utc), u"e-1\tcl,ick\tsay \"hi\"\t2024-05-01 12:00:00 UTC\t{\"a\":\"x\\ty\",\"b\":1}\t\t\t"_s);
    }
};

int main(int argc, char *argv[])
{
    // A zone without daylight saving time, so that the local-time expectations hold all year.
    qputenv("TZ", "Asia/Kolkata");
    QCoreApplication app(argc, argv);
    TestRowQuery test;
    return QTest::qExec(&test, argc, argv);
}

#include "testrowquery.moc"
