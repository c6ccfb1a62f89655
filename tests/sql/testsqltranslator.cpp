// Checks the GoogleSQL-subset translator by running what it emits on SQLite, over a table laid out as the
// local cloud stores BigQuery rows (sqltranslator.h), and comparing rows and result schemas.

#include <random>

#include <sqlite3.h>

#include <QDate>
#include <QDateTime>
#include <QTest>
#include <QThread>
#include <QTimeZone>

#include "core/common/timeutil.h"
#include "core/localcloud/sql/keyhash.h"
#include "core/localcloud/sql/sqltranslator.h"
#include "core/pipeline/rowconverter.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::LocalCloud;
using BigQuery::FieldMode;
using BigQuery::FieldType;
using BigQuery::TableField;

namespace
{
    constexpr qint64 MICROS_PER_DAY = 86400LL * 1000000;

    TableField field(const QString &name, FieldType type, FieldMode mode = FieldMode::Nullable, const QList<TableField> &fields = {})
    {
        TableField f;
        f.name = name;
        f.type = type;
        f.mode = mode;
        f.fields = fields;
        return f;
    }

    // The default events schema plus one column of each other kind the translator must handle.
    BigQuery::TableSchema eventsSchema()
    {
        BigQuery::TableSchema schema = Pipeline::RowConverter::defaultSchema();
        schema.fields += {
            field(u"amount"_s, FieldType::Int64),
            field(u"score"_s, FieldType::Float64),
            field(u"flag"_s, FieldType::Bool),
            field(u"price"_s, FieldType::Numeric),
            field(u"day"_s, FieldType::Date),
            field(u"tags"_s, FieldType::String, FieldMode::Repeated),
            field(u"info"_s, FieldType::Record, FieldMode::Nullable, {field(u"a"_s, FieldType::String), field(u"b"_s, FieldType::Int64)}),
            field(u"payload"_s, FieldType::Bytes),
            field(u"dt"_s, FieldType::Datetime),
        };
        return schema;
    }

    BigQuery::TableSchema timestampsSchema()
    {
        BigQuery::TableSchema schema;
        schema.fields = {field(u"ts"_s, FieldType::Timestamp)};
        return schema;
    }

    qint64 ts(const char *text)
    {
        const std::optional<qint64> micros = Time::parseTimestamp(QString::fromLatin1(text));
        Q_ASSERT(micros);
        return *micros;
    }

    // name:TYPE:value;... ("?" as the name: positional; NULL as the value: SQL NULL; ARRAY/STRUCT types)
    QList<QueryParameter> parseParameters(const QString &spec)
    {
        QList<QueryParameter> out;
        if (spec.isEmpty())
            return out;
        for (const QString &entry : spec.split(u';')) {
            const int first = int(entry.indexOf(u':'));
            const int second = int(entry.indexOf(u':', first + 1));
            QueryParameter p;
            p.name = entry.left(first) == u"?"_s ? QString() : entry.left(first);
            const QString type = entry.mid(first + 1, second - first - 1);
            if (type == u"ARRAY"_s) {
                p.isArray = true;
                p.type = FieldType::Int64;
            } else {
                p.type = *BigQuery::parseFieldType(type);
            }
            const QString value = entry.mid(second + 1);
            if (value != u"NULL"_s)
                p.value = value;
            out.append(p);
        }
        return out;
    }

    QString schemaText(const BigQuery::TableSchema &schema)
    {
        QStringList parts;
        for (const TableField &f : schema.fields) {
            QString text = f.name + u':' + BigQuery::standardTypeName(f.type);
            if (f.mode != FieldMode::Nullable)
                text += u':' + BigQuery::modeName(f.mode);
            parts.append(text);
        }
        return parts.join(u',');
    }

    QString numberText(double value)
    {
        return QString::number(value, 'g', 15);
    }

    // One cell as text, read as the result schema says the column is typed.
    QString cellText(sqlite3_stmt *st, int column, const TableField &f)
    {
        const int type = sqlite3_column_type(st, column);
        if (type == SQLITE_NULL)
            return u"NULL"_s;
        if (f.isRepeated() || f.type == FieldType::Record || f.type == FieldType::Json || f.type == FieldType::String || f.type == FieldType::Date
            || f.type == FieldType::Datetime || f.type == FieldType::Time) {
            if (type != SQLITE_TEXT)
                return u"!not-text"_s;
            return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, column)), sqlite3_column_bytes(st, column));
        }
        switch (f.type) {
        case FieldType::Timestamp:
            if (type != SQLITE_INTEGER)
                return u"!not-integer"_s;
            return Time::formatRfc3339(sqlite3_column_int64(st, column));
        case FieldType::Bool:
            if (type != SQLITE_INTEGER || (sqlite3_column_int64(st, column) != 0 && sqlite3_column_int64(st, column) != 1))
                return u"!not-0/1"_s;
            return sqlite3_column_int64(st, column) ? u"true"_s : u"false"_s;
        case FieldType::Int64:
            if (type != SQLITE_INTEGER)
                return u"!not-integer"_s;
            return QString::number(sqlite3_column_int64(st, column));
        case FieldType::Numeric:
        case FieldType::BigNumeric:
            // stored as the exact decimal text; computed values are numbers
            if (type == SQLITE_TEXT)
                return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, column)));
            Q_FALLTHROUGH();
        case FieldType::Float64:
            if (type != SQLITE_INTEGER && type != SQLITE_FLOAT)
                return u"!not-number"_s;
            return numberText(sqlite3_column_double(st, column));
        case FieldType::Bytes:
            if (type != SQLITE_BLOB)
                return u"!not-blob"_s;
            return QString::fromLatin1(QByteArray(static_cast<const char *>(sqlite3_column_blob(st, column)), sqlite3_column_bytes(st, column)).toHex());
        default:
            return u"!unexpected-type"_s;
        }
    }

    void bindAll(sqlite3_stmt *st, const QList<SqlValue> &bindings)
    {
        for (int i = 0; i < bindings.size(); ++i) {
            const SqlValue &v = bindings[i];
            if (std::holds_alternative<qint64>(v)) {
                sqlite3_bind_int64(st, i + 1, std::get<qint64>(v));
            } else if (std::holds_alternative<double>(v)) {
                sqlite3_bind_double(st, i + 1, std::get<double>(v));
            } else if (std::holds_alternative<QString>(v)) {
                const QByteArray utf8 = std::get<QString>(v).toUtf8();
                sqlite3_bind_text(st, i + 1, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
            } else if (std::holds_alternative<QByteArray>(v)) {
                const QByteArray &bytes = std::get<QByteArray>(v);
                sqlite3_bind_blob(st, i + 1, bytes.constData(), int(bytes.size()), SQLITE_TRANSIENT);
            } else {
                sqlite3_bind_null(st, i + 1);
            }
        }
    }
}

class TestSqlTranslator final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void testQueries_data();
    void testQueries();
    void testErrors_data();
    void testErrors();
    void testResultSchemaKeepsNestedFields();
    void testUnqualifiedTableNeedsDefaultDataset();
    void testPagingOrder();
    void testSnapshotHidesLaterRows();
    void testOrderByTimestampUsesIndex();
    void testKeyLookUpReadsTheBatchedIndexAndTheNewestRows();
    void testTimestampFunctionsMatchReference_data();
    void testTimestampFunctionsMatchReference();
    void testNestingIsBoundedAndPrepares_data();
    void testNestingIsBoundedAndPrepares();
    void testDeepestNestingFitsASmallThreadStack();

private:
    Result<TranslatedQuery> translate(const QString &query, const QList<QueryParameter> &parameters = {}) const;
    // Runs a translated query; rows as "a|b;c|d" with each cell read per the result schema.
    QString execute(const TranslatedQuery &query, QString *error = nullptr) const;
    void exec(const char *sql) const;
    // EXPLAIN QUERY PLAN of a statement, its lines joined by newlines.
    QString planOf(const QByteArray &sql, const QList<SqlValue> &bindings) const;

    sqlite3 *m_db = nullptr;
    SqlCatalog m_catalog;
    TranslateOptions m_options;
};

void TestSqlTranslator::exec(const char *sql) const
{
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        const QString text = QString::fromUtf8(message);
        sqlite3_free(message);
        QFAIL(qPrintable(text));
    }
}

QString TestSqlTranslator::planOf(const QByteArray &sql, const QList<SqlValue> &bindings) const
{
    const QByteArray explain = "EXPLAIN QUERY PLAN " + sql;
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(m_db, explain.constData(), int(explain.size()), &st, nullptr) != SQLITE_OK)
        return u"cannot prepare: "_s + QString::fromUtf8(sqlite3_errmsg(m_db));
    bindAll(st, bindings);
    QStringList plan;
    while (sqlite3_step(st) == SQLITE_ROW)
        plan.append(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, 3))));
    sqlite3_finalize(st);
    return plan.join(u"\n"_s);
}

void TestSqlTranslator::initTestCase()
{
    QCOMPARE(sqlite3_open(":memory:", &m_db), SQLITE_OK);
    // The local cloud runs its connections with LIKE case-sensitive, as BigQuery's LIKE is. NUMERIC columns have
    // no affinity and hold the exact decimal text.
    exec("PRAGMA case_sensitive_like=ON");
    exec(R"(CREATE TABLE bq_events(_aq_seq INTEGER PRIMARY KEY, event_id TEXT, event_type TEXT, user_id TEXT, "timestamp" INTEGER,
             event_data TEXT, message_id TEXT, publish_time INTEGER, ingest_time INTEGER, amount INTEGER, score REAL, flag INTEGER,
             price BLOB, day TEXT, tags TEXT, info TEXT, payload BLOB, dt TEXT))");
    exec(R"(CREATE INDEX bq_events_ts ON bq_events("timestamp"))");
    exec("CREATE TABLE bq_ts(_aq_seq INTEGER PRIMARY KEY, ts INTEGER)");

    struct Row
    {
        const char *id;
        const char *type;
        const char *user;
        const char *time;
        const char *data;
        const char *publish;
        const char *ingest;
        std::optional<qint64> amount;
        std::optional<double> score;
        std::optional<int> flag;
        const char *price;
        const char *day;
        const char *tags;
        const char *info;
        const char *payload;
        const char *dt;
    };
    const Row rows[] = {
        {"e1", "click", "u1", "2024-05-01T12:00:00Z", R"({"page":"home","n":1,"ok":true,"obj":{"a":1},"arr":[1,2],"s":"x\"y"})", "2024-05-01T12:00:01Z",
         "2024-05-01T12:00:02Z", 10, 1.5, 1, "2.5", "2024-05-01", R"(["a","b"])", R"({"a":"x","b":"1"})", "0102", "2024-05-01T12:00:00"},
        {"e2", "view", "u1", "2024-05-01T13:30:00.5Z", R"({"page":"about","n":2.5,"ok":false})", nullptr, nullptr, 20, 2.0, 0, "3", "2024-05-02", "[]",
         nullptr, nullptr, nullptr},
        {"e3", "click", "u2", "2024-05-02T00:00:00Z", R"({"page":"home","n":null})", nullptr, nullptr, std::nullopt, std::nullopt, std::nullopt, nullptr,
         nullptr, R"(["c"])", R"({"a":null,"b":"2"})", nullptr, nullptr},
        {"e4", "purchase", "u3", "2024-04-28T23:59:59.999999Z", nullptr, nullptr, nullptr, 5, -0.5, 1, "100.25", "2024-04-28", "[]", nullptr, nullptr, nullptr},
        {"e5", "click", nullptr, "1969-12-31T23:59:59.5Z", R"({"page":"a%b_c"})", nullptr, nullptr, -3, 0.25, 0, "-1", "1969-12-31", "[]", nullptr, nullptr,
         nullptr},
        {"e6", "view", "u2", "2024-05-01T12:00:00Z", R"({"page":"Home"})", nullptr, nullptr, 7, 3.25, 1, "0.5", "2024-05-01", R"(["a"])", nullptr, nullptr,
         nullptr},
        {"e7", "Click", "u4", "2024-06-15T08:00:00Z", nullptr, nullptr, nullptr, 1, 1.0, 0, "1", "2024-06-15", "[]", nullptr, nullptr, nullptr},
    };
    sqlite3_stmt *insert = nullptr;
    QCOMPARE(sqlite3_prepare_v2(m_db,
                                "INSERT INTO bq_events(event_id, event_type, user_id, \"timestamp\", event_data, message_id, publish_time, ingest_time,"
                                " amount, score, flag, price, day, tags, info, payload, dt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                                " ?12, ?13, ?14, ?15, ?16, ?17)",
                                -1, &insert, nullptr),
             SQLITE_OK);
    int messageNumber = 0;
    for (const Row &row : rows) {
        auto text = [insert](int index, const char *value) {
            if (value)
                sqlite3_bind_text(insert, index, value, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(insert, index);
        };
        auto time = [insert](int index, const char *value) {
            if (value)
                sqlite3_bind_int64(insert, index, ts(value));
            else
                sqlite3_bind_null(insert, index);
        };
        text(1, row.id);
        text(2, row.type);
        text(3, row.user);
        time(4, row.time);
        text(5, row.data);
        const QByteArray messageId = "m" + QByteArray::number(++messageNumber);
        sqlite3_bind_text(insert, 6, messageId.constData(), -1, SQLITE_TRANSIENT);
        time(7, row.publish);
        time(8, row.ingest);
        row.amount ? sqlite3_bind_int64(insert, 9, *row.amount) : sqlite3_bind_null(insert, 9);
        row.score ? sqlite3_bind_double(insert, 10, *row.score) : sqlite3_bind_null(insert, 10);
        row.flag ? sqlite3_bind_int(insert, 11, *row.flag) : sqlite3_bind_null(insert, 11);
        text(12, row.price);
        text(13, row.day);
        text(14, row.tags);
        text(15, row.info);
        if (row.payload) {
            const QByteArray bytes = QByteArray::fromHex(row.payload);
            sqlite3_bind_blob(insert, 16, bytes.constData(), int(bytes.size()), SQLITE_TRANSIENT);
        } else {
            sqlite3_bind_null(insert, 16);
        }
        text(17, row.dt);
        QCOMPARE(sqlite3_step(insert), SQLITE_DONE);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    // The key table as BatchedIndex fills it for rows 1 to 4 (e1..e4), and one entry as a collision would make it:
    // e9's hash naming e2's row, which a look-up of e9 must read and leave out.
    exec("CREATE TABLE bq_events_key_hashes(hash INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(hash, seq)) WITHOUT ROWID");
    QCOMPARE(sqlite3_prepare_v2(m_db, "INSERT INTO bq_events_key_hashes(hash, seq) VALUES(?1, ?2)", -1, &insert, nullptr), SQLITE_OK);
    for (const auto &[key, seq] : std::initializer_list<std::pair<QByteArray, int>> {{"e1", 1}, {"e2", 2}, {"e3", 3}, {"e4", 4}, {"e9", 2}}) {
        sqlite3_bind_int64(insert, 1, sqlite3_int64(keyHash(key)));
        sqlite3_bind_int(insert, 2, seq);
        QCOMPARE(sqlite3_step(insert), SQLITE_DONE);
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);

    m_catalog = [](const QString &project, const QString &dataset, const QString &table) -> std::optional<SqlTable> {
        if (project != u"proj-1"_s || dataset != u"ds"_s)
            return std::nullopt;
        if (table == u"events"_s)
            return SqlTable {u"bq_events"_s, eventsSchema(), std::nullopt};
        if (table == u"events_snap"_s)
            return SqlTable {u"bq_events"_s, eventsSchema(), 5};
        if (table == u"events_keyed"_s)   // e1..e4 are in the key table; e5..e7 came later
            return SqlTable {u"bq_events"_s, eventsSchema(), std::nullopt, {{u"event_id"_s, u"bq_events_key_hashes"_s}}, 4};
        if (table == u"events_keyed_snap"_s)
            return SqlTable {u"bq_events"_s, eventsSchema(), 5, {{u"event_id"_s, u"bq_events_key_hashes"_s}}, 4};
        if (table == u"timestamps"_s)
            return SqlTable {u"bq_ts"_s, timestampsSchema(), std::nullopt};
        return std::nullopt;
    };
    m_options.defaultProject = u"proj-1"_s;
    m_options.defaultDataset = u"ds"_s;
    m_options.nowMicros = ts("2024-05-02T06:00:00Z");
}

void TestSqlTranslator::cleanupTestCase()
{
    sqlite3_close(m_db);
}

Result<TranslatedQuery> TestSqlTranslator::translate(const QString &query, const QList<QueryParameter> &parameters) const
{
    return translateQuery(query, parameters, m_catalog, m_options);
}

QString TestSqlTranslator::execute(const TranslatedQuery &query, QString *error) const
{
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(m_db, query.sql.constData(), int(query.sql.size()), &st, nullptr) != SQLITE_OK) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        return u"!prepare failed: "_s + QString::fromUtf8(sqlite3_errmsg(m_db));
    }
    if (sqlite3_bind_parameter_count(st) != query.bindings.size() || sqlite3_column_count(st) != query.resultSchema.fields.size()) {
        sqlite3_finalize(st);
        return u"!bindings or columns do not match"_s;
    }
    bindAll(st, query.bindings);
    QStringList rows;
    int rc = SQLITE_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        QStringList cells;
        for (int c = 0; c < sqlite3_column_count(st); ++c)
            cells.append(cellText(st, c, query.resultSchema.fields[c]));
        rows.append(cells.join(u'|'));
    }
    if (rc != SQLITE_DONE) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        rows.append(u"!step failed: "_s + QString::fromUtf8(sqlite3_errmsg(m_db)));
    }
    sqlite3_finalize(st);
    return rows.join(u';');
}

void TestSqlTranslator::testQueries_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameters");
    QTest::addColumn<QString>("rows");
    QTest::addColumn<QString>("schema");

    const QString allColumns = u"event_id:STRING:REQUIRED,event_type:STRING,user_id:STRING,timestamp:TIMESTAMP:REQUIRED,event_data:JSON,"
                               u"message_id:STRING,publish_time:TIMESTAMP,ingest_time:TIMESTAMP,amount:INT64,score:FLOAT64,flag:BOOL,price:NUMERIC,"
                               u"day:DATE,tags:STRING:REPEATED,info:STRUCT,payload:BYTES,dt:DATETIME"_s;
    const QString e1 = uR"(e1|click|u1|2024-05-01T12:00:00Z|{"page":"home","n":1,"ok":true,"obj":{"a":1},"arr":[1,2],"s":"x\"y"}|m1|)"
                       uR"(2024-05-01T12:00:01Z|2024-05-01T12:00:02Z|10|1.5|true|2.5|2024-05-01|["a","b"]|{"a":"x","b":"1"}|0102|2024-05-01T12:00:00)"_s;

    // -- SELECT lists, names, tables
    QTest::newRow("column, ingest order") << u"SELECT event_id FROM `proj-1.ds.events`"_s << QString() << u"e1;e2;e3;e4;e5;e6;e7"_s
                                          << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("star keeps types and modes") << u"SELECT * FROM `proj-1.ds.events` WHERE event_id = 'e1'"_s << QString() << e1 << allColumns;
    QTest::newRow("alias.star") << u"SELECT e.* FROM ds.events AS e WHERE e.event_id = 'e1'"_s << QString() << e1 << allColumns;
    QTest::newRow("star except") << u"SELECT * EXCEPT (event_data, tags, info, payload, dt, message_id, publish_time, ingest_time, score, price, day, flag) FROM ds.events WHERE event_id = 'e2'"_s
                                 << QString() << u"e2|view|u1|2024-05-01T13:30:00.500Z|20"_s
                                 << u"event_id:STRING:REQUIRED,event_type:STRING,user_id:STRING,timestamp:TIMESTAMP:REQUIRED,amount:INT64"_s;
    QTest::newRow("select 1") << u"SELECT 1"_s << QString() << u"1"_s << u"f0_:INT64"_s;
    QTest::newRow("select param") << u"SELECT @n AS n"_s << u"n:INT64:5"_s << u"5"_s << u"n:INT64"_s;
    QTest::newRow("anonymous names count unnamed columns")
        << u"SELECT 1 AS a, 'x', TRUE, NULL, 2.5 b, CURRENT_TIMESTAMP()"_s << QString() << u"1|x|true|NULL|2.5|2024-05-02T06:00:00Z"_s
        << u"a:INT64,f0_:STRING,f1_:BOOL,f2_:INT64,b:FLOAT64,f3_:TIMESTAMP"_s;
    QTest::newRow("dataset.table with default project") << u"select event_id from ds.events where amount > 5 and flag order by amount desc"_s << QString()
                                                       << u"e1;e6"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("bare table with default dataset") << u"SELECT COUNT(*) FROM events"_s << QString() << u"7"_s << u"f0_:INT64"_s;
    QTest::newRow("backticked parts") << u"SELECT event_id FROM `proj-1`.`ds`.`events` WHERE event_id IN ('e2', 'e3') ORDER BY event_id DESC"_s << QString()
                                      << u"e3;e2"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("unquoted dashed project") << u"SELECT COUNT(*) AS n FROM proj-1.ds.events"_s << QString() << u"7"_s << u"n:INT64"_s;
    QTest::newRow("alias without AS, qualified columns") << u"SELECT e.event_id AS id, e.user_id FROM ds.events e WHERE e.user_id IS NULL"_s << QString()
                                                        << u"e5|NULL"_s << u"id:STRING:REQUIRED,user_id:STRING"_s;
    QTest::newRow("table name as qualifier") << u"SELECT events.event_id FROM ds.events WHERE events.amount = 20"_s << QString() << u"e2"_s
                                             << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("names as written") << u"SELECT EVENT_ID FROM ds.events WHERE Event_Id = 'e7'"_s << QString() << u"e7"_s << u"EVENT_ID:STRING:REQUIRED"_s;
    QTest::newRow("trailing comma") << u"SELECT event_id, FROM ds.events WHERE amount = 1"_s << QString() << u"e7"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("repeated and record pass through") << u"SELECT tags, info FROM ds.events WHERE event_id = 'e3'"_s << QString()
                                                      << uR"(["c"]|{"a":null,"b":"2"})"_s << u"tags:STRING:REPEATED,info:STRUCT"_s;
    QTest::newRow("comments, case, semicolon, double quotes")
        << u"select /* a comment */ event_id -- trailing\n FROM ds.events # another\n where event_id = \"e1\";"_s << QString() << u"e1"_s
        << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("string escapes") << uR"(SELECT 'a\'b', "tab\there", '''tri'ple''', r'raw\n', b'\x01\x02', '\u00e9', LENGTH('h\u00e9llo'))"_s << QString()
                                    << u"a'b|tab\there|tri'ple|raw\\n|0102|\u00e9|5"_s
                                    << u"f0_:STRING,f1_:STRING,f2_:STRING,f3_:STRING,f4_:BYTES,f5_:STRING,f6_:INT64"_s;
    QTest::newRow("integer extremes") << u"SELECT -9223372036854775808, 0x10, 9223372036854775807"_s << QString()
                                      << u"-9223372036854775808|16|9223372036854775807"_s << u"f0_:INT64,f1_:INT64,f2_:INT64"_s;

    // -- WHERE
    QTest::newRow("comparisons") << u"SELECT event_id FROM ds.events WHERE amount <> 10 AND amount != 20 AND amount >= -3 AND amount <= 7 AND amount < 100 ORDER BY amount"_s
                                 << QString() << u"e5;e7;e4;e6"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("not, or, parentheses") << u"SELECT event_id FROM ds.events WHERE NOT (event_type = 'click' OR event_type = 'view')"_s << QString()
                                          << u"e4;e7"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("not in, between") << u"SELECT event_id FROM ds.events WHERE amount NOT IN (10, 20) AND amount BETWEEN -5 AND 6"_s << QString()
                                     << u"e4;e5;e7"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("not between") << u"SELECT event_id FROM ds.events WHERE amount NOT BETWEEN 0 AND 10"_s << QString() << u"e2;e5"_s
                                 << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("like is case-sensitive") << u"SELECT event_id FROM ds.events WHERE event_type LIKE 'c%'"_s << QString() << u"e1;e3;e5"_s
                                            << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("not like") << u"SELECT event_id FROM ds.events WHERE event_type NOT LIKE 'c%'"_s << QString() << u"e2;e4;e6;e7"_s
                              << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("like with escaped wildcard") << uR"(SELECT event_id FROM ds.events WHERE JSON_VALUE(event_data, '$.page') LIKE 'a\\%%')"_s << QString()
                                                << u"e5"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("like underscore") << u"SELECT event_id FROM ds.events WHERE event_type LIKE '_iew'"_s << QString() << u"e2;e6"_s
                                     << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("is null") << u"SELECT event_id FROM ds.events WHERE user_id IS NULL"_s << QString() << u"e5"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("is not null") << u"SELECT COUNT(*) FROM ds.events WHERE amount IS NOT NULL"_s << QString() << u"6"_s << u"f0_:INT64"_s;
    QTest::newRow("bool column as condition") << u"SELECT event_id FROM ds.events WHERE flag"_s << QString() << u"e1;e4;e6"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("is not true") << u"SELECT event_id FROM ds.events WHERE flag IS NOT TRUE"_s << QString() << u"e2;e3;e5;e7"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("is false") << u"SELECT event_id FROM ds.events WHERE flag IS FALSE"_s << QString() << u"e2;e5;e7"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("is distinct from") << u"SELECT event_id FROM ds.events WHERE user_id IS DISTINCT FROM 'u1'"_s << QString() << u"e3;e4;e5;e6;e7"_s
                                      << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("is not distinct from null") << u"SELECT event_id FROM ds.events WHERE user_id IS NOT DISTINCT FROM NULL"_s << QString() << u"e5"_s
                                               << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("not of null is null") << u"SELECT NOT flag, flag = TRUE FROM ds.events WHERE event_id = 'e3'"_s << QString() << u"NULL|NULL"_s
                                         << u"f0_:BOOL,f1_:BOOL"_s;

    // -- expressions
    QTest::newRow("arithmetic types") << u"SELECT amount + 1, amount - 1, amount * 2, amount / 4, -amount, score * 2 FROM ds.events WHERE event_id = 'e1'"_s
                                      << QString() << u"11|9|20|2.5|-10|3"_s << u"f0_:INT64,f1_:INT64,f2_:INT64,f3_:FLOAT64,f4_:INT64,f5_:FLOAT64"_s;
    QTest::newRow("precedence and float division") << u"SELECT 7 / 2, 1 + 2 * 3, (1 + 2) * 3, 2 - 3 - 4, 10 / 4 / 5, 2 - (3 - 4), - - 5"_s << QString()
                                                   << u"3.5|7|9|-5|0.5|3|5"_s << u"f0_:FLOAT64,f1_:INT64,f2_:INT64,f3_:INT64,f4_:FLOAT64,f5_:INT64,f6_:INT64"_s;
    QTest::newRow("numeric compares and orders as a number") << u"SELECT event_id, price FROM ds.events WHERE price > 2 ORDER BY price DESC"_s << QString()
                                                             << u"e4|100.25;e2|3;e1|2.5"_s << u"event_id:STRING:REQUIRED,price:NUMERIC"_s;
    QTest::newRow("numeric aggregates") << u"SELECT MAX(price), MIN(price), COUNT(DISTINCT price), SUM(price) FROM ds.events"_s << QString()
                                        << u"100.25|-1|6|106.25"_s << u"f0_:NUMERIC,f1_:NUMERIC,f2_:INT64,f3_:NUMERIC"_s;
    QTest::newRow("numeric literals and parameters stay exact") << u"SELECT NUMERIC '1.50', @num, BIGNUMERIC '12345678901234567890.123456789', NUMERIC '2.5' = price, price IN (NUMERIC '2.5', 3) FROM ds.events WHERE event_id = 'e1'"_s
                                                                << u"num:NUMERIC:00012.3400"_s << u"1.5|12.34|12345678901234567890.123456789|true|true"_s
                                                                << u"f0_:NUMERIC,f1_:NUMERIC,f2_:BIGNUMERIC,f3_:BOOL,f4_:BOOL"_s;
    QTest::newRow("group by numeric") << u"SELECT price, COUNT(*) FROM ds.events WHERE price IS NOT NULL AND price < 1 GROUP BY price ORDER BY price"_s << QString()
                                      << u"-1|1;0.5|1"_s << u"price:NUMERIC,f0_:INT64"_s;
    QTest::newRow("coalesce of numeric and int") << u"SELECT COALESCE(price, 0) AS p, COUNT(*) FROM ds.events WHERE event_id IN ('e3', 'e5') GROUP BY p ORDER BY p"_s
                                                 << QString() << u"-1|1;0|1"_s << u"p:NUMERIC,f0_:INT64"_s;
    QTest::newRow("numeric arithmetic") << u"SELECT price + 1, price * amount, price / 2 FROM ds.events WHERE event_id = 'e1'"_s << QString() << u"3.5|25|1.25"_s
                                        << u"f0_:NUMERIC,f1_:NUMERIC,f2_:NUMERIC"_s;
    QTest::newRow("concatenation") << u"SELECT event_id || '-' || event_type, 'a' || 'b' = 'ab', 'x' || NULL FROM ds.events WHERE event_id = 'e2'"_s << QString()
                                   << u"e2-view|true|NULL"_s << u"f0_:STRING,f1_:BOOL,f2_:STRING"_s;
    QTest::newRow("comparison result is bool") << u"SELECT amount > 5 AS big FROM ds.events WHERE event_id IN ('e1', 'e4', 'e3') ORDER BY event_id"_s
                                               << QString() << u"true;NULL;false"_s << u"big:BOOL"_s;
    QTest::newRow("coalesce, ifnull, concat, length, abs")
        << u"SELECT COALESCE(user_id, 'none'), IFNULL(amount, 0), CONCAT(event_id, ':', event_type), LENGTH(event_type), ABS(amount), LENGTH(payload) FROM ds.events WHERE event_id = 'e5'"_s
        << QString() << u"none|-3|e5:click|5|3|NULL"_s << u"f0_:STRING,f1_:INT64,f2_:STRING,f3_:INT64,f4_:INT64,f5_:INT64"_s;
    QTest::newRow("coalesce widens") << u"SELECT COALESCE(amount, score, 0) FROM ds.events WHERE event_id IN ('e1', 'e3') ORDER BY event_id"_s << QString()
                                     << u"10;0"_s << u"f0_:FLOAT64"_s;

    // -- casts
    QTest::newRow("casts") << u"SELECT CAST(amount AS STRING), CAST(amount AS FLOAT64), CAST(score AS INT64), CAST('12' AS INT64), CAST(flag AS STRING), "
                              u"CAST(amount AS BOOL), CAST('TRUE' AS BOOL), CAST(day AS TIMESTAMP), CAST(timestamp AS DATE), "
                              u"CAST('2024-05-01 10:00:00' AS TIMESTAMP), CAST(NULL AS STRING), CAST(price AS INT64), CAST(event_id AS BYTES) "
                              u"FROM ds.events WHERE event_id = 'e1'"_s
                           << QString() << u"10|10|2|12|true|true|true|2024-05-01T00:00:00Z|2024-05-01|2024-05-01T10:00:00Z|NULL|3|6531"_s
                           << u"f0_:STRING,f1_:FLOAT64,f2_:INT64,f3_:INT64,f4_:STRING,f5_:BOOL,f6_:BOOL,f7_:TIMESTAMP,f8_:DATE,f9_:TIMESTAMP,f10_:STRING,f11_:INT64,f12_:BYTES"_s;
    QTest::newRow("cast rounds half away from zero") << u"SELECT CAST(score AS INT64), CAST(-2.5 AS INT64), CAST(2.4 AS INT64) FROM ds.events WHERE event_id = 'e4'"_s
                                                     << QString() << u"-1|-3|2"_s << u"f0_:INT64,f1_:INT64,f2_:INT64"_s;
    QTest::newRow("timestamp to date floors before 1970") << u"SELECT CAST(timestamp AS DATE), DATE(timestamp), DATE(TIMESTAMP '2024-05-01 23:59:59.999999') FROM ds.events WHERE event_id = 'e5'"_s
                                                          << QString() << u"1969-12-31|1969-12-31|2024-05-01"_s << u"f0_:DATE,f1_:DATE,f2_:DATE"_s;
    QTest::newRow("datetime to date") << u"SELECT DATE(dt), CAST(dt AS DATE), CAST(day AS DATETIME) FROM ds.events WHERE event_id = 'e1'"_s << QString()
                                      << u"2024-05-01|2024-05-01|2024-05-01T00:00:00"_s << u"f0_:DATE,f1_:DATE,f2_:DATETIME"_s;

    // -- ORDER BY, LIMIT, OFFSET
    QTest::newRow("order by alias desc nulls last") << u"SELECT event_id, amount AS a FROM ds.events ORDER BY a DESC NULLS LAST"_s << QString()
                                                    << u"e2|20;e1|10;e6|7;e4|5;e7|1;e5|-3;e3|NULL"_s << u"event_id:STRING:REQUIRED,a:INT64"_s;
    QTest::newRow("order by ordinal nulls last") << u"SELECT event_id, amount FROM ds.events ORDER BY 2 NULLS LAST"_s << QString()
                                                 << u"e5|-3;e7|1;e4|5;e6|7;e1|10;e2|20;e3|NULL"_s << u"event_id:STRING:REQUIRED,amount:INT64"_s;
    QTest::newRow("order by default nulls first") << u"SELECT event_id FROM ds.events ORDER BY amount LIMIT 2"_s << QString() << u"e3;e5"_s
                                                  << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("desc nulls first") << u"SELECT event_id FROM ds.events ORDER BY amount DESC NULLS FIRST LIMIT 2"_s << QString() << u"e3;e2"_s
                                      << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("newest first, ties by ingest order descending") << u"SELECT event_id FROM ds.events ORDER BY timestamp DESC"_s << QString()
                                                                   << u"e7;e3;e2;e6;e1;e4;e5"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("oldest first, ties by ingest order") << u"SELECT event_id FROM ds.events ORDER BY timestamp"_s << QString() << u"e5;e4;e1;e6;e2;e3;e7"_s
                                                        << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("order by expression") << u"SELECT event_id FROM ds.events ORDER BY amount * -1 LIMIT 2"_s << QString() << u"e3;e2"_s
                                         << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("order by two keys") << u"SELECT event_id FROM ds.events ORDER BY event_type, amount DESC"_s << QString() << u"e7;e1;e5;e3;e4;e2;e6"_s
                                       << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("limit offset") << u"SELECT event_id FROM ds.events ORDER BY event_id LIMIT 2 OFFSET 3"_s << QString() << u"e4;e5"_s
                                  << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("limit offset parameters") << u"SELECT event_id FROM ds.events ORDER BY event_id LIMIT @lim OFFSET @off"_s << u"lim:INT64:2;off:INT64:5"_s
                                             << u"e6;e7"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("limit 0") << u"SELECT event_id FROM ds.events LIMIT 0"_s << QString() << QString() << u"event_id:STRING:REQUIRED"_s;

    // -- aggregation
    QTest::newRow("aggregates by group")
        << u"SELECT event_type, COUNT(*) AS n, COUNT(user_id) AS users, COUNT(DISTINCT user_id) AS du, SUM(amount) AS total, AVG(amount) AS mean, "
           u"MIN(timestamp) AS first, MAX(score) AS best FROM ds.events GROUP BY event_type ORDER BY n DESC, event_type"_s
        << QString()
        << u"click|3|2|2|7|3.5|1969-12-31T23:59:59.500Z|1.5;view|2|2|2|27|13.5|2024-05-01T12:00:00Z|3.25;Click|1|1|1|1|1|2024-06-15T08:00:00Z|1;"
           u"purchase|1|1|1|5|5|2024-04-28T23:59:59.999999Z|-0.5"_s
        << u"event_type:STRING,n:INT64,users:INT64,du:INT64,total:INT64,mean:FLOAT64,first:TIMESTAMP,best:FLOAT64"_s;
    QTest::newRow("group by alias, having alias, order by ordinal") << u"SELECT user_id AS u, COUNT(*) c FROM ds.events GROUP BY u HAVING c > 1 ORDER BY 1"_s
                                                                    << QString() << u"u1|2;u2|2"_s << u"u:STRING,c:INT64"_s;
    QTest::newRow("group by ordinal of a function") << u"SELECT TIMESTAMP_TRUNC(timestamp, DAY) AS day, COUNT(*) FROM ds.events GROUP BY 1 ORDER BY day"_s
                                                    << QString()
                                                    << u"1969-12-31T00:00:00Z|1;2024-04-28T00:00:00Z|1;2024-05-01T00:00:00Z|3;2024-05-02T00:00:00Z|1;2024-06-15T00:00:00Z|1"_s
                                                    << u"day:TIMESTAMP,f0_:INT64"_s;
    QTest::newRow("group by expression repeated in select") << u"SELECT TIMESTAMP_TRUNC(timestamp, MONTH), COUNT(*) FROM ds.events GROUP BY TIMESTAMP_TRUNC(timestamp, MONTH) ORDER BY 1"_s
                                                            << QString() << u"1969-12-01T00:00:00Z|1;2024-04-01T00:00:00Z|1;2024-05-01T00:00:00Z|4;2024-06-01T00:00:00Z|1"_s
                                                            << u"f0_:TIMESTAMP,f1_:INT64"_s;
    QTest::newRow("group by bool expression") << u"SELECT amount > 5 AS big, COUNT(*) FROM ds.events GROUP BY big ORDER BY big"_s << QString()
                                              << u"NULL|1;false|3;true|3"_s << u"big:BOOL,f0_:INT64"_s;
    QTest::newRow("select alias wins over a column in group by") << u"SELECT event_type AS user_id, COUNT(*) FROM ds.events GROUP BY user_id ORDER BY 2 DESC, 1"_s
                                                                 << QString() << u"click|3;view|2;Click|1;purchase|1"_s << u"user_id:STRING,f0_:INT64"_s;
    QTest::newRow("select alias wins over a column in order by") << u"SELECT amount AS score FROM ds.events ORDER BY score DESC LIMIT 2"_s << QString()
                                                                 << u"20;10"_s << u"score:INT64"_s;
    QTest::newRow("having without group by") << u"SELECT COUNT(*) FROM ds.events HAVING COUNT(*) > 100"_s << QString() << QString() << u"f0_:INT64"_s;
    QTest::newRow("aggregates over no rows") << u"SELECT COUNT(*), SUM(amount), MAX(event_id) FROM ds.events WHERE FALSE"_s << QString() << u"0|NULL|NULL"_s
                                             << u"f0_:INT64,f1_:INT64,f2_:STRING"_s;
    QTest::newRow("sum and avg of float and numeric") << u"SELECT SUM(score), SUM(price), AVG(price) FROM ds.events WHERE event_id IN ('e1', 'e2')"_s
                                                      << QString() << u"3.5|5.5|2.75"_s << u"f0_:FLOAT64,f1_:NUMERIC,f2_:NUMERIC"_s;
    QTest::newRow("min and max keep their type") << u"SELECT MIN(event_type), MAX(day), MIN(flag), MAX(dt) FROM ds.events"_s << QString()
                                                 << u"Click|2024-06-15|false|2024-05-01T12:00:00"_s << u"f0_:STRING,f1_:DATE,f2_:BOOL,f3_:DATETIME"_s;
    QTest::newRow("count of a constant without FROM") << u"SELECT COUNT(*), SUM(2)"_s << QString() << u"1|2"_s << u"f0_:INT64,f1_:INT64"_s;
    QTest::newRow("aggregate of an expression") << u"SELECT SUM(amount * 2) + 1 AS x, MAX(LENGTH(event_type)) FROM ds.events"_s << QString() << u"81|8"_s
                                                << u"x:INT64,f0_:INT64"_s;
    QTest::newRow("select distinct") << u"SELECT DISTINCT event_type FROM ds.events ORDER BY event_type"_s << QString() << u"Click;click;purchase;view"_s
                                     << u"event_type:STRING"_s;
    QTest::newRow("group by json value") << u"SELECT JSON_VALUE(event_data, '$.page') AS page, COUNT(*) AS n FROM ds.events GROUP BY page ORDER BY n DESC, page"_s
                                         << QString() << u"NULL|2;home|2;Home|1;a%b_c|1;about|1"_s << u"page:STRING,n:INT64"_s;

    // -- parameters
    QTest::newRow("named parameters") << u"SELECT event_id FROM ds.events WHERE event_type = @type AND timestamp >= @since ORDER BY timestamp"_s
                                      << u"type:STRING:click;since:TIMESTAMP:2024-01-01T00:00:00Z"_s << u"e1;e3"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("parameter names are case-insensitive") << u"SELECT event_id FROM ds.events WHERE event_type = @TYPE"_s << u"type:STRING:purchase"_s
                                                          << u"e4"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("positional parameters") << u"SELECT event_id FROM ds.events WHERE amount > ? AND event_type = ? ORDER BY event_id"_s
                                           << u"?:INT64:5;?:STRING:view"_s << u"e2;e6"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("null parameter") << u"SELECT @x IS NULL, @x"_s << u"x:STRING:NULL"_s << u"true|NULL"_s << u"f0_:BOOL,f1_:STRING"_s;
    QTest::newRow("parameter types") << u"SELECT @b, @f, @d, @ts, @num, @by, @j"_s
                                     << u"b:BOOL:TRUE;f:FLOAT64:2.5;d:DATE:2024-05-01;ts:TIMESTAMP:2024-05-01T12:00:00.123Z;num:NUMERIC:1.25;by:BYTES:AQI=;j:JSON:{\"a\": [1, 2]}"_s
                                     << u"true|2.5|2024-05-01|2024-05-01T12:00:00.123Z|1.25|0102|{\"a\":[1,2]}"_s
                                     << u"f0_:BOOL,f1_:FLOAT64,f2_:DATE,f3_:TIMESTAMP,f4_:NUMERIC,f5_:BYTES,f6_:JSON"_s;
    QTest::newRow("string parameter coerced to timestamp") << u"SELECT COUNT(*) FROM ds.events WHERE timestamp < @s"_s << u"s:STRING:2024-05-01"_s << u"2"_s
                                                           << u"f0_:INT64"_s;

    // -- timestamps
    QTest::newRow("timestamp literal") << u"SELECT COUNT(*) FROM ds.events WHERE timestamp >= TIMESTAMP '2024-05-01 00:00:00 UTC'"_s << QString() << u"5"_s
                                       << u"f0_:INT64"_s;
    QTest::newRow("string literals coerced in between") << u"SELECT COUNT(*) FROM ds.events WHERE timestamp BETWEEN '2024-05-01' AND '2024-05-01T12:00:00Z'"_s
                                                        << QString() << u"2"_s << u"f0_:INT64"_s;
    QTest::newRow("string literals coerced in in") << u"SELECT COUNT(*) FROM ds.events WHERE timestamp IN ('2024-05-01T12:00:00Z', '2024-05-01 12:00:00+00:00')"_s
                                                   << QString() << u"2"_s << u"f0_:INT64"_s;
    QTest::newRow("string literal first") << u"SELECT COUNT(*) FROM ds.events WHERE '1970-01-01' > timestamp"_s << QString() << u"1"_s << u"f0_:INT64"_s;
    QTest::newRow("date column and literal") << u"SELECT COUNT(*) FROM ds.events WHERE day = '2024-05-01' OR day > DATE '2024-05-01'"_s << QString() << u"4"_s
                                             << u"f0_:INT64"_s;
    QTest::newRow("timestamp add and sub") << u"SELECT TIMESTAMP_ADD(timestamp, INTERVAL 90 MINUTE), TIMESTAMP_SUB(timestamp, INTERVAL 1 DAY), "
                                              u"TIMESTAMP_ADD(timestamp, INTERVAL 1 MILLISECOND), TIMESTAMP_ADD(timestamp, INTERVAL -2 SECOND), "
                                              u"TIMESTAMP_ADD(timestamp, INTERVAL 3 MICROSECOND), TIMESTAMP_SUB(timestamp, INTERVAL 1 HOUR), "
                                              u"TIMESTAMP_ADD(timestamp, INTERVAL @n HOUR), TIMESTAMP_ADD(timestamp, INTERVAL amount DAY) FROM ds.events WHERE event_id = 'e1'"_s
                                           << u"n:INT64:2"_s
                                           << u"2024-05-01T13:30:00Z|2024-04-30T12:00:00Z|2024-05-01T12:00:00.001Z|2024-05-01T11:59:58Z|"
                                              u"2024-05-01T12:00:00.000003Z|2024-05-01T11:00:00Z|2024-05-01T14:00:00Z|2024-05-11T12:00:00Z"_s
                                           << u"f0_:TIMESTAMP,f1_:TIMESTAMP,f2_:TIMESTAMP,f3_:TIMESTAMP,f4_:TIMESTAMP,f5_:TIMESTAMP,f6_:TIMESTAMP,f7_:TIMESTAMP"_s;
    QTest::newRow("relative to current timestamp") << u"SELECT COUNT(*) FROM ds.events WHERE timestamp > TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY)"_s
                                                   << QString() << u"5"_s << u"f0_:INT64"_s;
    QTest::newRow("current timestamp without parentheses") << u"SELECT CURRENT_TIMESTAMP, CURRENT_DATE()"_s << QString() << u"2024-05-02T06:00:00Z|2024-05-02"_s
                                                           << u"f0_:TIMESTAMP,f1_:DATE"_s;
    QTest::newRow("timestamp trunc before 1970")
        << u"SELECT TIMESTAMP_TRUNC(timestamp, WEEK), TIMESTAMP_TRUNC(timestamp, MONTH), TIMESTAMP_TRUNC(timestamp, QUARTER), TIMESTAMP_TRUNC(timestamp, YEAR), "
           u"TIMESTAMP_TRUNC(timestamp, SECOND), TIMESTAMP_TRUNC(timestamp, MILLISECOND), TIMESTAMP_TRUNC(timestamp, MICROSECOND) FROM ds.events WHERE event_id = 'e5'"_s
        << QString()
        << u"1969-12-28T00:00:00Z|1969-12-01T00:00:00Z|1969-10-01T00:00:00Z|1969-01-01T00:00:00Z|1969-12-31T23:59:59Z|1969-12-31T23:59:59.500Z|1969-12-31T23:59:59.500Z"_s
        << u"f0_:TIMESTAMP,f1_:TIMESTAMP,f2_:TIMESTAMP,f3_:TIMESTAMP,f4_:TIMESTAMP,f5_:TIMESTAMP,f6_:TIMESTAMP"_s;
    QTest::newRow("week with a start day") << u"SELECT TIMESTAMP_TRUNC(TIMESTAMP '2024-05-01 12:00:00', WEEK(MONDAY)), TIMESTAMP_TRUNC('2024-05-01 12:00:00', ISOWEEK), TIMESTAMP_TRUNC(TIMESTAMP '2024-04-28 01:00:00', WEEK)"_s
                                           << QString() << u"2024-04-29T00:00:00Z|2024-04-29T00:00:00Z|2024-04-28T00:00:00Z"_s
                                           << u"f0_:TIMESTAMP,f1_:TIMESTAMP,f2_:TIMESTAMP"_s;
    QTest::newRow("unix conversions") << u"SELECT UNIX_MICROS(timestamp), UNIX_MILLIS(timestamp), UNIX_SECONDS(timestamp), TIMESTAMP_MICROS(-1), TIMESTAMP_SECONDS(60), TIMESTAMP_MILLIS(1) FROM ds.events WHERE event_id = 'e5'"_s
                                      << QString() << u"-500000|-500|-1|1969-12-31T23:59:59.999999Z|1970-01-01T00:01:00Z|1970-01-01T00:00:00.001Z"_s
                                      << u"f0_:INT64,f1_:INT64,f2_:INT64,f3_:TIMESTAMP,f4_:TIMESTAMP,f5_:TIMESTAMP"_s;

    // -- JSON
    QTest::newRow("json value") << u"SELECT JSON_VALUE(event_data, '$.page'), JSON_VALUE(event_data, '$.n'), JSON_VALUE(event_data, '$.ok'), "
                                   u"JSON_VALUE(event_data, '$.obj'), JSON_VALUE(event_data, '$.arr'), JSON_VALUE(event_data, '$.missing'), "
                                   u"JSON_VALUE(event_data, '$.s'), JSON_VALUE(event_data, '$.arr[1]'), JSON_VALUE(event_data, '$.obj.a'), "
                                   u"JSON_VALUE(event_data, \"$['page']\") FROM ds.events WHERE event_id = 'e1'"_s
                                << QString() << u"home|1|true|NULL|NULL|NULL|x\"y|2|1|home"_s
                                << u"f0_:STRING,f1_:STRING,f2_:STRING,f3_:STRING,f4_:STRING,f5_:STRING,f6_:STRING,f7_:STRING,f8_:STRING,f9_:STRING"_s;
    QTest::newRow("json value of numbers, false and null") << u"SELECT JSON_VALUE(event_data, '$.n'), JSON_VALUE(event_data, '$.ok') FROM ds.events WHERE event_id IN ('e2', 'e3') ORDER BY event_id"_s
                                                           << QString() << u"2.5|false;NULL|NULL"_s << u"f0_:STRING,f1_:STRING"_s;
    QTest::newRow("json query") << u"SELECT JSON_QUERY(event_data, '$.obj'), JSON_QUERY(event_data, '$.arr'), JSON_QUERY(event_data, '$.page'), JSON_QUERY(event_data, '$.nope') FROM ds.events WHERE event_id = 'e1'"_s
                                << QString() << u"{\"a\":1}|[1,2]|\"home\"|NULL"_s << u"f0_:JSON,f1_:JSON,f2_:JSON,f3_:JSON"_s;
    QTest::newRow("json functions on strings") << uR"(SELECT JSON_VALUE('{"a":{"b":"c"}}', '$.a.b'), JSON_VALUE('not json', '$.a'), JSON_VALUE('{"a b":1}', '$."a b"'), JSON_VALUE('"x"'), JSON_QUERY('{"a":[1]}', '$.a'))"_s
                                               << QString() << u"c|NULL|1|x|[1]"_s << u"f0_:STRING,f1_:STRING,f2_:STRING,f3_:STRING,f4_:STRING"_s;
    QTest::newRow("json literal and path parameter") << u"SELECT JSON '{\"a\": 1}', JSON_VALUE(JSON '{\"k\": \"v\"}', @p)"_s << u"p:STRING:$.k"_s
                                                     << u"{\"a\":1}|v"_s << u"f0_:JSON,f1_:STRING"_s;

    // -- snapshots
    QTest::newRow("snapshot hides later rows") << u"SELECT event_id FROM ds.events_snap"_s << QString() << u"e1;e2;e3;e4;e5"_s << u"event_id:STRING:REQUIRED"_s;
    QTest::newRow("snapshot with where and aggregate") << u"SELECT COUNT(*) FROM ds.events_snap WHERE amount > 0"_s << QString() << u"3"_s << u"f0_:INT64"_s;
}

void TestSqlTranslator::testQueries()
{
    QFETCH(QString, query);
    QFETCH(QString, parameters);
    QFETCH(QString, rows);
    QFETCH(QString, schema);
    const Result<TranslatedQuery> translated = translate(query, parseParameters(parameters));
    if (!translated)
        QFAIL(qPrintable(translated.error().message));
    QCOMPARE(translated->statementType, u"SELECT"_s);
    QString error;
    const QString actual = execute(*translated, &error);
    if (!error.isEmpty())
        qWarning() << "SQL:" << translated->sql;
    QCOMPARE(actual, rows);
    QCOMPARE(schemaText(translated->resultSchema), schema);
}

void TestSqlTranslator::testErrors_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("parameters");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("message");

    auto refused = [](const char *name, const QString &query, const QString &construct) {
        QTest::newRow(name) << query << QString() << 400 << u"Unsupported in the local cloud's SQL subset: "_s + construct;
    };
    refused("join", u"SELECT * FROM ds.events JOIN ds.other ON TRUE"_s, u"JOIN at [1:25]"_s);
    refused("left join", u"SELECT * FROM ds.events e LEFT JOIN ds.other o ON TRUE"_s, u"JOIN at [1:27]"_s);
    refused("comma join", u"SELECT * FROM ds.events, ds.other"_s, u"JOIN (comma cross join) at [1:24]"_s);
    refused("subquery in from", u"SELECT * FROM (SELECT 1)"_s, u"subquery or parenthesized join in FROM at [1:15]"_s);
    refused("scalar subquery", u"SELECT (SELECT 1)"_s, u"subquery at [1:9]"_s);
    refused("in subquery", u"SELECT 1 FROM ds.events WHERE event_id IN (SELECT 'x')"_s, u"IN subquery at [1:44]"_s);
    refused("exists", u"SELECT EXISTS (SELECT 1)"_s, u"EXISTS subquery at [1:8]"_s);
    refused("union", u"SELECT 1 UNION ALL SELECT 2"_s, u"UNION (set operations) at [1:10]"_s);
    refused("except", u"SELECT 1 FROM ds.events EXCEPT DISTINCT SELECT 2"_s, u"EXCEPT (set operations) at [1:25]"_s);
    refused("with", u"WITH x AS (SELECT 1) SELECT * FROM x"_s, u"WITH clause at [1:1]"_s);
    refused("window function", u"SELECT COUNT(*) OVER () FROM ds.events"_s, u"window function (OVER clause) at [1:17]"_s);
    refused("insert", u"INSERT INTO ds.events (event_id) VALUES ('x')"_s, u"DML statement INSERT at [1:1]"_s);
    refused("delete", u"DELETE FROM ds.events WHERE TRUE"_s, u"DML statement DELETE at [1:1]"_s);
    refused("update", u"update ds.events set amount = 1 where true"_s, u"DML statement UPDATE at [1:1]"_s);
    refused("merge", u"MERGE ds.events USING ds.other ON FALSE"_s, u"DML statement MERGE at [1:1]"_s);
    refused("create", u"CREATE TABLE ds.x (a INT64)"_s, u"DDL statement CREATE at [1:1]"_s);
    refused("drop", u"DROP TABLE ds.events"_s, u"DDL statement DROP at [1:1]"_s);
    refused("script", u"DECLARE x INT64"_s, u"DECLARE statement at [1:1]"_s);
    refused("two statements", u"SELECT 1; SELECT 2"_s, u"multi-statement script at [1:11]"_s);
    refused("unknown function", u"SELECT FOO(1)"_s, u"function FOO at [1:8]"_s);
    refused("known but unsupported function", u"SELECT LOWER(event_id) FROM ds.events"_s, u"function LOWER at [1:8]"_s);
    refused("qualified function", u"SELECT SAFE.SUBSTR('a', 1)"_s, u"function SAFE.SUBSTR at [1:8]"_s);
    refused("if function", u"SELECT IF(TRUE, 1, 2)"_s, u"function IF at [1:8]"_s);
    refused("unnest", u"SELECT * FROM UNNEST([1, 2])"_s, u"UNNEST at [1:15]"_s);
    refused("in unnest", u"SELECT 1 FROM ds.events WHERE 'a' IN UNNEST(tags)"_s, u"IN UNNEST at [1:38]"_s);
    refused("record field", u"SELECT info.a FROM ds.events"_s, u"RECORD sub-field access (info.a) at [1:13]"_s);
    refused("qualified record field", u"SELECT e.info.b FROM ds.events e"_s, u"RECORD sub-field access (e.info.b) at [1:15]"_s);
    refused("record star", u"SELECT info.* FROM ds.events"_s, u"RECORD sub-field access (info.*) at [1:8]"_s);
    refused("array subscript", u"SELECT tags[OFFSET(0)] FROM ds.events"_s, u"array subscript at [1:12]"_s);
    refused("case", u"SELECT CASE WHEN TRUE THEN 1 END"_s, u"CASE expression at [1:8]"_s);
    refused("struct", u"SELECT STRUCT(1 AS a)"_s, u"STRUCT at [1:8]"_s);
    refused("array literal", u"SELECT [1, 2]"_s, u"array literal at [1:8]"_s);
    refused("array constructor", u"SELECT ARRAY(SELECT 1)"_s, u"ARRAY at [1:8]"_s);
    refused("tuple", u"SELECT (1, 2)"_s, u"STRUCT constructor (tuple) at [1:8]"_s);
    refused("extract", u"SELECT EXTRACT(YEAR FROM timestamp) FROM ds.events"_s, u"EXTRACT at [1:8]"_s);
    refused("safe cast", u"SELECT SAFE_CAST('1' AS INT64)"_s, u"SAFE_CAST at [1:8]"_s);
    refused("qualify", u"SELECT 1 FROM ds.events QUALIFY TRUE"_s, u"QUALIFY at [1:25]"_s);
    refused("rollup", u"SELECT 1 FROM ds.events GROUP BY ROLLUP (event_type)"_s, u"GROUP BY ROLLUP at [1:34]"_s);
    refused("like any", u"SELECT 1 FROM ds.events WHERE event_id LIKE ANY ('a%')"_s, u"LIKE ANY at [1:40]"_s);
    refused("time travel", u"SELECT * FROM ds.events FOR SYSTEM_TIME AS OF CURRENT_TIMESTAMP()"_s, u"FOR SYSTEM_TIME AS OF at [1:25]"_s);
    refused("wildcard table", u"SELECT * FROM `proj-1.ds.events_*`"_s, u"wildcard table at [1:15]"_s);
    refused("tablesample", u"SELECT * FROM ds.events TABLESAMPLE SYSTEM (10 PERCENT)"_s, u"TABLESAMPLE at [1:25]"_s);
    refused("select as struct", u"SELECT AS STRUCT 1 AS a"_s, u"SELECT AS STRUCT at [1:8]"_s);
    refused("star replace", u"SELECT * REPLACE (1 AS amount) FROM ds.events"_s, u"SELECT * REPLACE at [1:10]"_s);
    refused("system variable", u"SELECT @@project_id"_s, u"system variable @@project_id at [1:8]"_s);
    refused("bitwise", u"SELECT 1 | 2"_s, u"bitwise operator | at [1:10]"_s);
    refused("cast float to string", u"SELECT CAST(score AS STRING) FROM ds.events"_s, u"CAST from FLOAT64 to STRING at [1:8]"_s);
    refused("cast column string to timestamp", u"SELECT CAST(event_id AS TIMESTAMP) FROM ds.events"_s,
            u"CAST from STRING to TIMESTAMP of a non-constant value at [1:8]"_s);
    refused("interval elsewhere", u"SELECT INTERVAL 1 DAY"_s, u"INTERVAL outside TIMESTAMP_ADD/TIMESTAMP_SUB at [1:8]"_s);
    refused("timestamp trunc with zone", u"SELECT TIMESTAMP_TRUNC(timestamp, DAY, 'UTC') FROM ds.events"_s, u"TIMESTAMP_TRUNC with a time zone at [1:40]"_s);
    refused("bytes like", u"SELECT 1 FROM ds.events WHERE payload LIKE b'a%'"_s, u"LIKE on BYTES at [1:31]"_s);
    refused("table as value", u"SELECT e FROM ds.events e"_s, u"table alias e used as a value (STRUCT) at [1:8]"_s);
    refused("information schema", u"SELECT * FROM ds.INFORMATION_SCHEMA.TABLES"_s, u"INFORMATION_SCHEMA at [1:15]"_s);
    refused("named argument", u"SELECT JSON_VALUE(json_string_expr => '{}')"_s, u"named function argument at [1:19]"_s);
    QTest::newRow("array parameter") << u"SELECT @arr"_s << u"arr:ARRAY:1"_s << 400 << u"Unsupported in the local cloud's SQL subset: ARRAY query parameter 'arr' at [1:8]"_s;
    QTest::newRow("struct parameter") << u"SELECT @st"_s << u"st:STRUCT:1"_s << 400 << u"Unsupported in the local cloud's SQL subset: STRUCT query parameter 'st' at [1:8]"_s;

    auto invalid = [](const char *name, const QString &query, const QString &message, const QString &parameters = QString()) {
        QTest::newRow(name) << query << parameters << 400 << message;
    };
    // names
    invalid("unknown column", u"SELECT x FROM ds.events"_s, u"Unrecognized name: x at [1:8]"_s);
    invalid("hidden seq column", u"SELECT _aq_seq FROM ds.events"_s, u"Unrecognized name: _aq_seq at [1:8]"_s);
    invalid("hidden seq column in order by", u"SELECT event_id FROM ds.events ORDER BY _aq_seq"_s, u"Unrecognized name: _aq_seq at [1:41]"_s);
    invalid("unknown qualified column", u"SELECT e.nope FROM ds.events e"_s, u"Name nope not found inside e at [1:10]"_s);
    invalid("column without from", u"SELECT event_id"_s, u"Unrecognized name: event_id at [1:8]"_s);
    invalid("where alias is not visible", u"SELECT amount AS a FROM ds.events WHERE a > 1"_s, u"Unrecognized name: a at [1:41]"_s);
    invalid("multi-line position", u"SELECT 1\nFROM ds.events\nWHERE nope = 1"_s, u"Unrecognized name: nope at [3:7]"_s);
    invalid("unknown parameter", u"SELECT * FROM ds.events WHERE event_id = @missing"_s, u"Query parameter 'missing' not found at [1:42]"_s);
    invalid("missing positional parameter", u"SELECT ?, ?"_s, u"Positional query parameter 2 not found (the query has 2, 1 provided) at [1:11]"_s, u"?:INT64:1"_s);
    invalid("mixed parameters", u"SELECT @a, ?"_s, u"Query cannot use both named and positional parameters at [1:12]"_s, u"a:INT64:1;?:INT64:2"_s);
    invalid("bad parameter value", u"SELECT @n"_s, u"Invalid value for query parameter 'n' of type INT64: five at [1:8]"_s, u"n:INT64:five"_s);
    invalid("bad timestamp parameter", u"SELECT @t"_s, u"Invalid value for query parameter 't' of type TIMESTAMP: soon at [1:8]"_s, u"t:TIMESTAMP:soon"_s);
    invalid("ambiguous alias", u"SELECT amount AS a, score AS a FROM ds.events ORDER BY a"_s, u"Column name a is ambiguous at [1:56]"_s);
    invalid("duplicate output names", u"SELECT 1 AS a, 2 AS A"_s, u"Duplicate column names in the result are not supported. Found duplicate(s): A at [1:16]"_s);
    invalid("duplicate via star", u"SELECT *, event_id FROM ds.events"_s, u"Duplicate column names in the result are not supported. Found duplicate(s): event_id at [1:11]"_s);
    invalid("star without from", u"SELECT *"_s, u"SELECT * must have a FROM clause at [1:8]"_s);
    invalid("except unknown column", u"SELECT * EXCEPT (nope) FROM ds.events"_s, u"Column nope in SELECT * EXCEPT list does not exist at [1:18]"_s);
    invalid("where without from", u"SELECT 1 WHERE TRUE"_s, u"Query without FROM clause cannot have a WHERE clause at [1:16]"_s);
    // types
    invalid("sum of string", u"SELECT SUM(event_id) FROM ds.events"_s, u"No matching signature for aggregate function SUM for argument types: STRING at [1:8]"_s);
    invalid("bad timestamp literal", u"SELECT * FROM ds.events WHERE timestamp > 'yesterday'"_s, u"Could not cast literal \"yesterday\" to type TIMESTAMP at [1:43]"_s);
    invalid("number is not a timestamp literal", u"SELECT * FROM ds.events WHERE timestamp > '1714564800'"_s,
            u"Could not cast literal \"1714564800\" to type TIMESTAMP at [1:43]"_s);
    invalid("invalid typed literal", u"SELECT DATE '2024-13-01'"_s, u"Invalid DATE literal: \"2024-13-01\" at [1:8]"_s);
    invalid("int compared with string", u"SELECT * FROM ds.events WHERE amount = 'x'"_s, u"No matching signature for operator = for argument types: INT64, STRING at [1:31]"_s);
    invalid("timestamp compared with int", u"SELECT * FROM ds.events WHERE timestamp > 5"_s, u"No matching signature for operator > for argument types: TIMESTAMP, INT64 at [1:31]"_s);
    invalid("where must be bool", u"SELECT * FROM ds.events WHERE amount"_s, u"WHERE clause should return type BOOL, but returns INT64 at [1:31]"_s);
    invalid("and needs bools", u"SELECT * FROM ds.events WHERE flag AND amount"_s, u"No matching signature for operator AND for argument types: BOOL, INT64 at [1:40]"_s);
    invalid("json equality", u"SELECT event_data = event_data FROM ds.events"_s, u"Equality is not defined for arguments of type JSON at [1:8]"_s);
    invalid("array comparison", u"SELECT tags = tags FROM ds.events"_s, u"Equality is not defined for arguments of type ARRAY<STRING> at [1:8]"_s);
    invalid("order by json", u"SELECT event_data FROM ds.events ORDER BY event_data"_s, u"ORDER BY does not support expressions of type JSON at [1:43]"_s);
    invalid("like on int", u"SELECT 1 FROM ds.events WHERE amount LIKE '1%'"_s, u"No matching signature for operator LIKE for argument types: INT64, STRING at [1:31]"_s);
    invalid("concat of int", u"SELECT event_id || 1 FROM ds.events"_s, u"No matching signature for operator || for argument types: STRING, INT64 at [1:8]"_s);
    invalid("minus on string", u"SELECT -event_id FROM ds.events"_s, u"No matching signature for operator - for argument types: STRING at [1:8]"_s);
    invalid("invalid cast", u"SELECT CAST(timestamp AS INT64) FROM ds.events"_s, u"Invalid cast from TIMESTAMP to INT64 at [1:8]"_s);
    invalid("unknown type", u"SELECT CAST(1 AS FLOAT)"_s, u"Type not found: FLOAT at [1:8]"_s);
    invalid("add month to timestamp", u"SELECT TIMESTAMP_ADD(timestamp, INTERVAL 1 MONTH) FROM ds.events"_s,
            u"TIMESTAMP_ADD does not support the MONTH date part when the argument is TIMESTAMP type at [1:33]"_s);
    invalid("bad date part", u"SELECT TIMESTAMP_TRUNC(timestamp, FORTNIGHT) FROM ds.events"_s, u"A valid date part name is required but found FORTNIGHT at [1:35]"_s);
    invalid("bad json path", u"SELECT JSON_VALUE(event_data, '$..a') FROM ds.events"_s, u"Invalid or unsupported JSONPath: $..a at [1:31]"_s);
    invalid("json path must be constant", u"SELECT JSON_VALUE(event_data, event_id) FROM ds.events"_s, u"JSONPath must be a string literal or query parameter at [1:31]"_s);
    invalid("integer literal too large", u"SELECT 99999999999999999999"_s, u"Invalid integer literal: 99999999999999999999 at [1:8]"_s);
    // aggregation
    invalid("ungrouped column", u"SELECT event_type, COUNT(*) FROM ds.events"_s,
            u"SELECT list expression references column event_type which is neither grouped nor aggregated at [1:8]"_s);
    invalid("ungrouped column in order by", u"SELECT event_type, COUNT(*) FROM ds.events GROUP BY event_type ORDER BY timestamp"_s,
            u"ORDER BY clause expression references column timestamp which is neither grouped nor aggregated at [1:73]"_s);
    invalid("ungrouped inside expression", u"SELECT TIMESTAMP_TRUNC(timestamp, DAY), COUNT(*) FROM ds.events GROUP BY TIMESTAMP_TRUNC(timestamp, HOUR)"_s,
            u"SELECT list expression references column timestamp which is neither grouped nor aggregated at [1:24]"_s);
    invalid("aggregate in where", u"SELECT COUNT(*) FROM ds.events WHERE COUNT(*) > 1"_s, u"Aggregate function COUNT not allowed in WHERE clause at [1:38]"_s);
    invalid("aggregate in group by", u"SELECT 1 FROM ds.events GROUP BY COUNT(*)"_s, u"Aggregate function COUNT not allowed in GROUP BY clause at [1:34]"_s);
    invalid("nested aggregate", u"SELECT SUM(COUNT(*)) FROM ds.events"_s, u"Aggregations of aggregations are not allowed at [1:12]"_s);
    invalid("having without aggregation", u"SELECT amount FROM ds.events HAVING amount > 1"_s,
            u"The HAVING clause requires GROUP BY or aggregation to be present at [1:37]"_s);
    invalid("group by ordinal out of range", u"SELECT event_type FROM ds.events GROUP BY 2"_s, u"GROUP BY is out of SELECT column number range: 2 at [1:43]"_s);
    invalid("order by ordinal out of range", u"SELECT * FROM ds.events ORDER BY 99"_s, u"ORDER BY is out of SELECT column number range: 99 at [1:34]"_s);
    invalid("group by json", u"SELECT COUNT(*) FROM ds.events GROUP BY event_data"_s, u"Grouping by expressions of type JSON is not allowed at [1:41]"_s);
    invalid("distinct json", u"SELECT DISTINCT event_data FROM ds.events"_s, u"Column event_data of type JSON cannot be used in SELECT DISTINCT at [1:17]"_s);
    invalid("order by hidden by distinct", u"SELECT DISTINCT event_type FROM ds.events ORDER BY amount"_s,
            u"ORDER BY clause expression references column amount which is not visible after SELECT DISTINCT at [1:52]"_s);
    // LIMIT
    invalid("negative limit", u"SELECT * FROM ds.events LIMIT -1"_s, u"LIMIT expects a non-negative integer literal or parameter at [1:31]"_s);
    invalid("fractional limit", u"SELECT * FROM ds.events LIMIT 1.5"_s, u"LIMIT expects an integer literal or parameter at [1:31]"_s);
    invalid("string limit parameter", u"SELECT * FROM ds.events LIMIT @n"_s, u"LIMIT expects an integer literal or parameter, but got STRING at [1:31]"_s, u"n:STRING:1"_s);
    // syntax
    invalid("expected end of input", u"SELECT 1 LIMIT 5 FROM x"_s, u"Syntax error: Expected end of input but got keyword FROM at [1:18]"_s);
    invalid("keyword as column", u"SELECT FROM ds.events"_s, u"Syntax error: Unexpected keyword FROM at [1:8]"_s);
    invalid("incomplete", u"SELECT"_s, u"Syntax error: Unexpected end of script at [1:7]"_s);
    invalid("incomplete expression", u"SELECT 1 +"_s, u"Syntax error: Unexpected end of script at [1:11]"_s);
    invalid("unclosed string", u"SELECT 'abc"_s, u"Syntax error: Unclosed string literal at [1:8]"_s);
    invalid("unclosed comment", u"SELECT 1 /* x"_s, u"Syntax error: Unclosed comment at [1:10]"_s);
    invalid("illegal character", u"SELECT $x"_s, u"Syntax error: Illegal input character \"$\" at [1:8]"_s);
    invalid("chained comparison", u"SELECT 1 = 1 = 1"_s, u"Syntax error: Expected end of input but got \"=\" at [1:14]"_s);
    invalid("missing parenthesis", u"SELECT COUNT(* FROM ds.events"_s, u"Syntax error: Unexpected \"*\" at [1:14]"_s);
    invalid("bad escape", uR"(SELECT 'a\qb')"_s, u"Syntax error: Illegal escape sequence: \\q at [1:10]"_s);
    invalid("literal glued to alias", u"SELECT 1abc"_s, u"Syntax error: Missing whitespace between literal and alias at [1:9]"_s);
    invalid("deep nesting", u"SELECT "_s + QString(300, u'(') + u'1' + QString(300, u')'), u"Expression is nested more than 200 levels deep at [1:208]"_s);
    invalid("long chain", u"SELECT 1"_s + QString(u" + 1"_s).repeated(250), u"Expression is nested more than 200 levels deep at [1:8]"_s);
    // tables
    QTest::newRow("unknown table") << u"SELECT * FROM ds.nope"_s << QString() << 404 << u"Not found: Table proj-1:ds.nope"_s;
    QTest::newRow("unknown project") << u"SELECT * FROM `other.ds.events`"_s << QString() << 404 << u"Not found: Table other:ds.events"_s;
}

void TestSqlTranslator::testErrors()
{
    QFETCH(QString, query);
    QFETCH(QString, parameters);
    QFETCH(int, httpStatus);
    QFETCH(QString, message);
    const Result<TranslatedQuery> translated = translate(query, parseParameters(parameters));
    if (translated)
        QFAIL(qPrintable(u"translated to: "_s + QString::fromUtf8(translated->sql)));
    QCOMPARE(translated.error().message, message);
    QCOMPARE(translated.error().httpStatus, httpStatus);
    QCOMPARE(translated.error().reason, httpStatus == 404 ? u"notFound"_s : u"invalidQuery"_s);
}

void TestSqlTranslator::testResultSchemaKeepsNestedFields()
{
    const Result<TranslatedQuery> translated = translate(u"SELECT info, tags AS t, event_id FROM ds.events"_s);
    QVERIFY(translated);
    const BigQuery::TableSchema schema = eventsSchema();
    QCOMPARE(translated->resultSchema.fields.size(), 3);
    QCOMPARE(translated->resultSchema.fields[0], *schema.field(u"info"_s));
    TableField tags = *schema.field(u"tags"_s);
    tags.name = u"t"_s;
    QCOMPARE(translated->resultSchema.fields[1], tags);
    QCOMPARE(translated->resultSchema.fields[2].mode, FieldMode::Required);
}

void TestSqlTranslator::testUnqualifiedTableNeedsDefaultDataset()
{
    TranslateOptions options = m_options;
    options.defaultDataset.clear();
    const Result<TranslatedQuery> translated = translateQuery(u"SELECT * FROM events"_s, {}, m_catalog, options);
    QVERIFY(!translated);
    QCOMPARE(translated.error().message, u"Table \"events\" must be qualified with a dataset (e.g. dataset.table). at [1:15]"_s);
}

void TestSqlTranslator::testPagingOrder()
{
    // Non-aggregate queries end with the ingest order, in the direction of the first key; aggregates do not.
    const auto sqlOf = [this](const QString &query) {
        const Result<TranslatedQuery> translated = translate(query);
        return translated ? QString::fromUtf8(translated->sql) : translated.error().message;
    };
    QVERIFY(sqlOf(u"SELECT event_id FROM ds.events"_s).endsWith(u" ORDER BY \"_aq_seq\""_s));
    QVERIFY(sqlOf(u"SELECT event_id FROM ds.events ORDER BY event_type DESC, amount"_s).endsWith(u", \"_aq_seq\" DESC"_s));
    QVERIFY(sqlOf(u"SELECT event_id FROM ds.events ORDER BY event_type LIMIT 3"_s).contains(u", \"_aq_seq\" LIMIT"_s));
    QVERIFY(!sqlOf(u"SELECT COUNT(*) FROM ds.events"_s).contains(u"_aq_seq"_s));
    QVERIFY(!sqlOf(u"SELECT event_type FROM ds.events GROUP BY event_type ORDER BY event_type"_s).contains(u"_aq_seq"_s));
    QVERIFY(!sqlOf(u"SELECT DISTINCT event_type FROM ds.events"_s).contains(u"_aq_seq"_s));
    QVERIFY(!sqlOf(u"SELECT 1"_s).contains(u"ORDER BY"_s));
    // and literals travel as bindings, never in the SQL text
    const Result<TranslatedQuery> translated = translate(uR"(SELECT 'it\'s', "a\"b" FROM ds.events WHERE event_id = 'x\' OR 1=1 --')"_s);
    QVERIFY(translated);
    QVERIFY(!translated->sql.contains("it"));
    QVERIFY(!translated->sql.contains("OR 1=1"));
}

void TestSqlTranslator::testSnapshotHidesLaterRows()
{
    const Result<TranslatedQuery> translated = translate(u"SELECT MAX(event_id) FROM ds.events_snap"_s);
    QVERIFY(translated);
    QVERIFY(translated->sql.contains("+\"_aq_seq\" <= ?"));
    QCOMPARE(execute(*translated), u"e5"_s);
}

void TestSqlTranslator::testOrderByTimestampUsesIndex()
{
    for (const QString &table : {u"events"_s, u"events_snap"_s}) {
        const Result<TranslatedQuery> translated = translate(u"SELECT * FROM ds.%1 ORDER BY timestamp DESC LIMIT 100"_s.arg(table));
        QVERIFY(translated);
        const QString text = planOf(translated->sql, translated->bindings);
        QVERIFY2(text.contains(u"USING INDEX bq_events_ts"_s), qPrintable(text));
        QVERIFY2(!text.contains(u"TEMP B-TREE"_s), qPrintable(text));
        // the snapshot ends at e5, so e7 (newest) is invisible there
        QCOMPARE(execute(*translated).section(u';', 0, 0).section(u'|', 0, 0), table == u"events"_s ? u"e7"_s : u"e3"_s);

        // the query runner pages with SELECT * FROM (<sql>) LIMIT ? OFFSET ?: the index must still serve it
        const int n = int(translated->bindings.size());
        const QByteArray wrapped = "SELECT * FROM (" + translated->sql + ") LIMIT ?" + QByteArray::number(n + 1) + " OFFSET ?" + QByteArray::number(n + 2);
        const QString wrappedText = planOf(wrapped, translated->bindings);
        QVERIFY2(wrappedText.contains(u"USING INDEX bq_events_ts"_s), qPrintable(wrappedText));
        QVERIFY2(!wrappedText.contains(u"TEMP B-TREE"_s), qPrintable(wrappedText));
    }
}

void TestSqlTranslator::testKeyLookUpReadsTheBatchedIndexAndTheNewestRows()
{
    // Key tables store these hashes: a change to keyHash() needs a store migration that fills them again.
    QCOMPARE(keyHash("e1"), 0x4d3017625fef5a3dULL);
    QCOMPARE(keyHash("2f1c6a0e-3b7d-4c59-9e8a-1d2b3c4d5e6f"), 0x8f9daddcbeda82beULL);
    QCOMPARE(keyHash(""), 0xe220a8397b1dcdafULL);
    // insertId look-ups store these: consecutive ids share the high half, and the low half is the whole id's
    QCOMPARE(groupedKeyHash("evt-1230001", 7), (keyHash("evt-123", 7) & 0xffffffff00000000ULL) | (keyHash("evt-1230001", 7) >> 32));
    QCOMPARE(groupedKeyHash("evt-1230001", 7) >> 32, groupedKeyHash("evt-1239999", 7) >> 32);
    QVERIFY(groupedKeyHash("evt-1230001", 7) != groupedKeyHash("evt-1239999", 7));
    QVERIFY(groupedKeyHash("evt-1230001", 7) >> 32 != groupedKeyHash("evt-1240001", 7) >> 32);
    QCOMPARE(groupedKeyHash("abc", 1) >> 32, groupedKeyHash("wxyz", 1) >> 32);   // no longer than the tail: one group
    QCOMPARE(groupedKeyHash("2f1c6a0e-3b7d-4c59-9e8a-1d2b3c4d5e6f", 1), 0xeca3f015ddba41fcULL);
    const auto lookUp = [&](const QString &query, const QString &id) {
        QueryParameter parameter;
        parameter.name = u"id"_s;
        parameter.value = id;
        return translate(query, {parameter});
    };
    // what /api/v1/{id} asks
    const QString byKey = u"SELECT event_id, event_type FROM ds.%1 WHERE event_id = @id ORDER BY timestamp DESC LIMIT 1"_s;
    for (const auto &[id, expected] : std::initializer_list<std::pair<QString, QString>> {
             {u"e2"_s, u"e2|view"_s}, {u"e6"_s, u"e6|view"_s}, {u"e9"_s, QString()}}) {
        const Result<TranslatedQuery> translated = lookUp(byKey.arg(u"events_keyed"_s), id);
        QVERIFY(translated);
        QVERIFY2(translated->sql.contains("bq_events_key_hashes"), translated->sql.constData());
        QCOMPARE(execute(*translated), expected);
        // the key table for the rows it holds, a rowid range for the rest: no scan of the table or of an index
        const QString plan = planOf(translated->sql, translated->bindings);
        QVERIFY2(plan.contains(u"SEARCH bq_events_key_hashes USING PRIMARY KEY (hash=?)"_s), qPrintable(plan));
        QVERIFY2(plan.contains(u"SEARCH bq_events USING INTEGER PRIMARY KEY (rowid=?)"_s), qPrintable(plan));
        QVERIFY2(plan.contains(u"SEARCH bq_events USING INTEGER PRIMARY KEY (rowid>?)"_s), qPrintable(plan));
        QVERIFY2(!plan.contains(u"SCAN bq_events"_s), qPrintable(plan));
    }
    // a snapshot still hides later rows (e6, e7 came after it)
    QCOMPARE(execute(*lookUp(byKey.arg(u"events_keyed_snap"_s), u"e6"_s)), QString());
    QCOMPARE(execute(*lookUp(byKey.arg(u"events_keyed_snap"_s), u"e5"_s)), u"e5|click"_s);
    // beside other conditions, the key value on either side
    const Result<TranslatedQuery> both = lookUp(u"SELECT event_id FROM ds.events_keyed WHERE event_type = 'click' AND @id = event_id"_s, u"e3"_s);
    QVERIFY(both && both->sql.contains("bq_events_key_hashes"));
    QCOMPARE(execute(*both), u"e3"_s);
    QCOMPARE(execute(*lookUp(u"SELECT event_id FROM ds.events_keyed WHERE event_type = 'view' AND event_id = @id"_s, u"e3"_s)), QString());
    // lists of keys too (what `aqueduct verify` asks), NULLs in them matching nothing
    const Result<TranslatedQuery> list = lookUp(u"SELECT event_id FROM ds.events_keyed WHERE event_id IN ('e1', @id, NULL, 'e9') ORDER BY event_id"_s, u"e6"_s);
    QVERIFY(list && list->sql.contains("bq_events_key_hashes"));
    QCOMPARE(execute(*list), u"e1;e6"_s);
    const QString listPlan = planOf(list->sql, list->bindings);
    QVERIFY2(listPlan.contains(u"SEARCH bq_events_key_hashes USING PRIMARY KEY (hash=?)"_s), qPrintable(listPlan));
    QVERIFY2(!listPlan.contains(u"SCAN bq_events"_s), qPrintable(listPlan));
    // a list that could not be bound twice is left to the scan rather than refused
    QStringList many;
    for (int i = 0; i < 20000; ++i)
        many.append(u"'k%1'"_s.arg(i));
    const Result<TranslatedQuery> longList = translate(u"SELECT event_id FROM ds.events_keyed WHERE event_id IN (%1, 'e2')"_s.arg(many.join(u", "_s)));
    QVERIFY2(longList, longList ? "" : qPrintable(longList.error().message));
    QVERIFY(!longList->sql.contains("bq_events_key_hashes"));
    QCOMPARE(execute(*longList), u"e2"_s);
    const Result<TranslatedQuery> nulls = lookUp(u"SELECT event_id FROM ds.events_keyed WHERE event_id = NULL"_s, u"e6"_s);
    QVERIFY(nulls && nulls->sql.contains("bq_events_key_hashes"));
    QCOMPARE(execute(*nulls), QString());
    // not when the equality is not a condition every row must meet: the key table cannot narrow those
    for (const QString &query : {u"SELECT event_id FROM ds.events_keyed WHERE event_id = @id OR event_type = 'view'"_s,
                                 u"SELECT event_id FROM ds.events_keyed WHERE NOT (event_id = @id)"_s,
                                 u"SELECT event_id FROM ds.events_keyed WHERE event_id NOT IN ('e1', @id)"_s,
                                 u"SELECT event_id FROM ds.events_keyed WHERE event_id IN ('e1', event_type)"_s,
                                 u"SELECT event_id FROM ds.events_keyed WHERE event_id = event_type"_s,
                                 u"SELECT event_id FROM ds.events_keyed WHERE user_id = @id"_s}) {
        const Result<TranslatedQuery> translated = lookUp(query, u"e2"_s);
        QVERIFY2(translated, qPrintable(query));
        QVERIFY2(!translated->sql.contains("bq_events_key_hashes"), qPrintable(query));
    }
    QCOMPARE(execute(*lookUp(u"SELECT COUNT(*) FROM ds.events_keyed WHERE event_id = @id OR event_type = 'view'"_s, u"e1"_s)), u"3"_s);
}

void TestSqlTranslator::testTimestampFunctionsMatchReference_data()
{
    QTest::addColumn<QString>("unit");
    for (const char *unit : {"MICROSECOND", "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "WEEK(MONDAY)", "WEEK(SATURDAY)", "ISOWEEK", "MONTH",
                             "QUARTER", "YEAR"})
        QTest::newRow(unit) << QString::fromLatin1(unit);
}

void TestSqlTranslator::testTimestampFunctionsMatchReference()
{
    QFETCH(QString, unit);
    // Random instants over BigQuery's whole TIMESTAMP range, and the edges around the epoch and day boundaries.
    static bool filled = false;
    const qint64 minimum = ts("0001-01-01T00:00:00Z");
    const qint64 maximum = ts("9999-12-31T23:59:59.999999Z");
    if (!filled) {
        filled = true;
        exec("DELETE FROM bq_ts");
        QList<qint64> values {minimum, maximum, -1, 0, 1, -MICROS_PER_DAY, -MICROS_PER_DAY - 1, -MICROS_PER_DAY + 1, MICROS_PER_DAY - 1, -500000, -1000001};
        std::mt19937_64 random(20240501);
        std::uniform_int_distribution<qint64> anywhere(minimum, maximum);
        std::uniform_int_distribution<qint64> nearEpoch(-400LL * 366 * MICROS_PER_DAY, 400LL * 366 * MICROS_PER_DAY);
        for (int i = 0; i < 1500; ++i) {
            values.append(anywhere(random));
            const qint64 near = nearEpoch(random);
            values.append(near);
            values.append(near - ((near % MICROS_PER_DAY) + MICROS_PER_DAY) % MICROS_PER_DAY);   // a midnight
        }
        sqlite3_stmt *insert = nullptr;
        QCOMPARE(sqlite3_prepare_v2(m_db, "INSERT INTO bq_ts(ts) VALUES (?1)", -1, &insert, nullptr), SQLITE_OK);
        for (const qint64 value : values) {
            sqlite3_bind_int64(insert, 1, value);
            QCOMPARE(sqlite3_step(insert), SQLITE_DONE);
            sqlite3_reset(insert);
        }
        sqlite3_finalize(insert);
    }
    const Result<TranslatedQuery> translated = translate(
        u"SELECT ts, TIMESTAMP_TRUNC(ts, %1), DATE(ts), UNIX_SECONDS(ts), UNIX_MILLIS(ts), TIMESTAMP_ADD(ts, INTERVAL -1 DAY) FROM ds.timestamps"_s.arg(unit));
    QVERIFY2(translated, qPrintable(translated ? QString() : translated.error().message));
    sqlite3_stmt *st = nullptr;
    QCOMPARE(sqlite3_prepare_v2(m_db, translated->sql.constData(), int(translated->sql.size()), &st, nullptr), SQLITE_OK);
    bindAll(st, translated->bindings);
    const auto floorDiv = [](qint64 a, qint64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); };
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        ++rows;
        const qint64 value = sqlite3_column_int64(st, 0);
        const qint64 days = floorDiv(value, MICROS_PER_DAY);
        const QDate date = QDate(1970, 1, 1).addDays(days);
        const auto midnight = [](const QDate &d) { return QDateTime(d, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch() * 1000; };
        qint64 expected = 0;
        if (unit == u"MICROSECOND"_s)
            expected = value;
        else if (unit == u"MILLISECOND"_s)
            expected = floorDiv(value, 1000) * 1000;
        else if (unit == u"SECOND"_s)
            expected = floorDiv(value, 1000000) * 1000000;
        else if (unit == u"MINUTE"_s)
            expected = floorDiv(value, 60000000) * 60000000;
        else if (unit == u"HOUR"_s)
            expected = floorDiv(value, 3600000000LL) * 3600000000LL;
        else if (unit == u"DAY"_s)
            expected = days * MICROS_PER_DAY;
        else if (unit == u"WEEK"_s)
            expected = midnight(date.addDays(-(date.dayOfWeek() % 7)));
        else if (unit == u"WEEK(MONDAY)"_s || unit == u"ISOWEEK"_s)
            expected = midnight(date.addDays(-(date.dayOfWeek() - 1)));
        else if (unit == u"WEEK(SATURDAY)"_s)
            expected = midnight(date.addDays(-((date.dayOfWeek() + 1) % 7)));
        else if (unit == u"MONTH"_s)
            expected = midnight(QDate(date.year(), date.month(), 1));
        else if (unit == u"QUARTER"_s)
            expected = midnight(QDate(date.year(), (date.month() - 1) / 3 * 3 + 1, 1));
        else if (unit == u"YEAR"_s)
            expected = midnight(QDate(date.year(), 1, 1));
        const QString context = Time::formatRfc3339(value);
        if (unit.startsWith(u"WEEK"_s) && days < -719162 + 7) {
            // the week containing 0001-01-01 starts before BigQuery's range; not comparable
        } else {
            QVERIFY2(sqlite3_column_type(st, 1) == SQLITE_INTEGER, qPrintable(context));
            QCOMPARE(Time::formatRfc3339(sqlite3_column_int64(st, 1)), Time::formatRfc3339(expected));
        }
        QCOMPARE(QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(st, 2))), date.toString(Qt::ISODate));
        QCOMPARE(sqlite3_column_int64(st, 3), floorDiv(value, 1000000));
        QCOMPARE(sqlite3_column_int64(st, 4), floorDiv(value, 1000));
        QCOMPARE(sqlite3_column_int64(st, 5), value - MICROS_PER_DAY);
    }
    sqlite3_finalize(st);
    QVERIFY(rows > 4000);
}

void TestSqlTranslator::testNestingIsBoundedAndPrepares_data()
{
    // Nested forms of each construct: the translator either refuses them cleanly or emits SQL that SQLite
    // 3.40 (parser stack of 100, expression depth 1000) prepares.
    QTest::addColumn<QString>("open");
    QTest::addColumn<QString>("inner");
    QTest::addColumn<QString>("close");
    QTest::newRow("parentheses") << u"("_s << u"amount"_s << u")"_s;
    QTest::newRow("right-nested plus") << u"1 + ("_s << u"amount"_s << u")"_s;
    QTest::newRow("right-nested minus") << u"1 - ("_s << u"amount"_s << u")"_s;
    QTest::newRow("left chain") << QString() << u"amount"_s << u" + 1"_s;
    QTest::newRow("left-nested parentheses") << u"("_s << u"amount"_s << u" * 2)"_s;
    QTest::newRow("division") << u"1 / ("_s << u"score"_s << u")"_s;
    QTest::newRow("unary minus") << u"- "_s << u"amount"_s << QString();
    QTest::newRow("not") << u"NOT "_s << u"flag"_s << QString();
    QTest::newRow("abs") << u"ABS("_s << u"amount"_s << u")"_s;
    QTest::newRow("coalesce") << u"COALESCE("_s << u"amount"_s << u", 1)"_s;
    QTest::newRow("ifnull") << u"IFNULL(1, "_s << u"amount"_s << u")"_s;
    QTest::newRow("cast to float") << u"CAST("_s << u"score"_s << u" AS FLOAT64)"_s;
    QTest::newRow("cast bool text bool") << u"CAST(CAST("_s << u"flag"_s << u" AS STRING) AS BOOL)"_s;
    QTest::newRow("cast int to bool to int") << u"CAST(CAST("_s << u"amount"_s << u" AS BOOL) AS INT64)"_s;
    QTest::newRow("trunc day") << u"TIMESTAMP_TRUNC("_s << u"timestamp"_s << u", DAY)"_s;
    QTest::newRow("trunc month") << u"TIMESTAMP_TRUNC("_s << u"timestamp"_s << u", MONTH)"_s;
    QTest::newRow("trunc quarter") << u"TIMESTAMP_TRUNC("_s << u"timestamp"_s << u", QUARTER)"_s;
    QTest::newRow("timestamp add") << u"TIMESTAMP_ADD("_s << u"timestamp"_s << u", INTERVAL amount HOUR)"_s;
    QTest::newRow("json value of strings") << u"JSON_VALUE("_s << u"event_id"_s << u", '$.a')"_s;
    QTest::newRow("json query") << u"JSON_QUERY("_s << u"event_data"_s << u", '$.a')"_s;
    QTest::newRow("concat") << u"CONCAT('a', "_s << u"event_id"_s << u")"_s;
    QTest::newRow("right-nested concat") << u"'a' || ("_s << u"event_id"_s << u")"_s;
    QTest::newRow("equality") << u"flag = ("_s << u"flag"_s << u")"_s;
    QTest::newRow("in") << u"flag IN ("_s << u"flag"_s << u")"_s;
    QTest::newRow("is null") << u"("_s << u"flag"_s << u" IS NULL)"_s;
    QTest::newRow("between") << u"flag BETWEEN flag AND ("_s << u"flag"_s << u")"_s;
    QTest::newRow("or and") << u"flag OR (flag AND ("_s << u"flag"_s << u"))"_s;
    QTest::newRow("date") << u"CAST(DATE("_s << u"timestamp"_s << u") AS TIMESTAMP)"_s;
}

void TestSqlTranslator::testNestingIsBoundedAndPrepares()
{
    QFETCH(QString, open);
    QFETCH(QString, inner);
    QFETCH(QString, close);
    int deepestAccepted = 0;
    const QStringList forms {u"SELECT %1 FROM ds.events"_s, u"SELECT event_id FROM ds.events WHERE (%1) IS NOT NULL ORDER BY %1 DESC"_s,
                             u"SELECT COUNT(*) FROM ds.events GROUP BY %1 HAVING MAX(%1) IS NULL"_s};
    // a form may not suit a construct at all (ORDER BY a JSON value): that error is the same at any depth
    QStringList errorsAtDepthOne;
    for (const QString &form : forms) {
        const Result<TranslatedQuery> translated = translate(form.arg(open + inner + close));
        errorsAtDepthOne.append(translated ? QString() : translated.error().message.section(u" at ["_s, 0, 0));
    }
    for (int depth = 1; depth <= 230; depth += depth < 60 ? 1 : 17) {
        const QString expression = open.repeated(depth) + inner + close.repeated(depth);
        for (int f = 0; f < forms.size(); ++f) {
            const QString query = forms[f].arg(expression);
            const Result<TranslatedQuery> translated = translate(query);
            if (!translated) {
                const QString message = translated.error().message;
                QVERIFY2(message.contains(u"nested"_s) || message.contains(u"too complex"_s) || message.section(u" at ["_s, 0, 0) == errorsAtDepthOne[f],
                         qPrintable(message));
                continue;
            }
            deepestAccepted = std::max(deepestAccepted, depth);
            sqlite3_stmt *st = nullptr;
            const int rc = sqlite3_prepare_v2(m_db, translated->sql.constData(), int(translated->sql.size()), &st, nullptr);
            const QString error = QString::fromUtf8(sqlite3_errmsg(m_db));
            sqlite3_finalize(st);
            QVERIFY2(rc == SQLITE_OK, qPrintable(u"depth %1: %2"_s.arg(depth).arg(error)));
        }
    }
    // every construct can be nested a useful number of times
    QVERIFY2(deepestAccepted >= 3, qPrintable(QString::number(deepestAccepted)));
}

void TestSqlTranslator::testDeepestNestingFitsASmallThreadStack()
{
    // The parser, resolver and emitter recurse once per nesting level; at the 200-level cap they must fit in
    // half a megabyte, the smallest default thread stack among the platforms Qt supports (macOS).
    QStringList outcomes;
    const QStringList queries {
        u"SELECT "_s + QString(199, u'(') + u"amount"_s + QString(199, u')') + u" FROM ds.events"_s,
        u"SELECT "_s + u"ABS("_s.repeated(199) + u"amount"_s + QString(199, u')') + u" FROM ds.events"_s,
        u"SELECT "_s + u"- "_s.repeated(199) + u"amount FROM ds.events"_s,
        u"SELECT "_s + u"1 + ("_s.repeated(199) + u"amount"_s + QString(199, u')') + u" FROM ds.events"_s,
        u"SELECT "_s + u"CAST("_s.repeated(199) + u"amount"_s + u" AS INT64)"_s.repeated(199) + u" FROM ds.events ORDER BY 1"_s,
    };
    QThread *thread = QThread::create([&] {
        for (const QString &query : queries) {
            const Result<TranslatedQuery> translated = translate(query);
            outcomes.append(translated ? u"ok"_s : translated.error().message);
        }
    });
    thread->setStackSize(512 * 1024);
    thread->start();
    QVERIFY(thread->wait(60000));
    delete thread;
    QCOMPARE(outcomes.size(), queries.size());
    for (const QString &outcome : outcomes)
        QVERIFY2(outcome == u"ok"_s || outcome.contains(u"nested"_s), qPrintable(outcome));
}

QTEST_APPLESS_MAIN(TestSqlTranslator)
#include "testsqltranslator.moc"
