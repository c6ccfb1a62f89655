// libFuzzer target: arbitrary bytes as GoogleSQL through the local cloud's SQL translator.
//
// Input: the bytes of the query (UTF-8, invalid sequences replaced as QString::fromUtf8 does). The catalog is fixed
// (one table with a column of every kind the translator handles) and so are the parameters (named ones of each
// scalar type, an ARRAY and a STRUCT one, and three positional ones), so any mix the fuzzer writes resolves.
// Checks beyond "no crash, no leak, no hang":
//   - a refusal is INVALID_ARGUMENT/invalidQuery (400) or NOT_FOUND (404), never anything else;
//   - a translation prepares on SQLite 3.40 against a table laid out as the local cloud stores it, with one
//     placeholder per binding and one result column per result-schema field, and runs to completion (runtime
//     errors such as "malformed JSON" or "integer overflow" are allowed: BigQuery raises errors there too).
//
// Build: cmake -DAQ_BUILD_FUZZERS=ON with clang (see tests/fuzz/fuzzsqltranslator.cmake); run:
//     fuzzsqltranslator -max_total_time=60 -max_len=4096 -dict=tests/fuzz/sql.dict corpus-work/ tests/fuzz/corpus/sql/

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <sqlite3.h>

#include <QByteArray>
#include <QList>
#include <QString>

#include "core/localcloud/sql/sqltranslator.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::LocalCloud;
using BigQuery::FieldMode;
using BigQuery::FieldType;
using BigQuery::TableField;

namespace
{
    [[noreturn]] void fail(const char *what, const QByteArray &detail = QByteArray())
    {
        fprintf(stderr, "fuzzsqltranslator: %s\n%s\n", what, detail.constData());
        abort();
    }

    TableField field(const char *name, FieldType type, FieldMode mode = FieldMode::Nullable, const QList<TableField> &fields = {})
    {
        TableField f;
        f.name = QString::fromLatin1(name);
        f.type = type;
        f.mode = mode;
        f.fields = fields;
        return f;
    }

    BigQuery::TableSchema schema()
    {
        BigQuery::TableSchema s;
        s.fields = {
            field("event_id", FieldType::String, FieldMode::Required),
            field("event_type", FieldType::String),
            field("timestamp", FieldType::Timestamp, FieldMode::Required),
            field("event_data", FieldType::Json),
            field("amount", FieldType::Int64),
            field("score", FieldType::Float64),
            field("flag", FieldType::Bool),
            field("price", FieldType::Numeric),
            field("day", FieldType::Date),
            field("dt", FieldType::Datetime),
            field("tod", FieldType::Time),
            field("payload", FieldType::Bytes),
            field("tags", FieldType::String, FieldMode::Repeated),
            field("info", FieldType::Record, FieldMode::Nullable, {field("a", FieldType::String), field("b", FieldType::Int64)}),
        };
        return s;
    }

    QueryParameter parameter(const char *name, FieldType type, const char *value, bool isArray = false)
    {
        QueryParameter p;
        p.name = QString::fromLatin1(name);
        p.type = type;
        if (value)
            p.value = QString::fromLatin1(value);
        p.isArray = isArray;
        return p;
    }

    struct Fixture
    {
        sqlite3 *db = nullptr;
        SqlCatalog catalog;
        QList<QueryParameter> parameters;
        TranslateOptions options;

        Fixture()
        {
            if (sqlite3_open(":memory:", &db) != SQLITE_OK)
                fail("cannot open SQLite");
            const char *setup = R"(
                PRAGMA case_sensitive_like=ON;
                CREATE TABLE bq_t(_aq_seq INTEGER PRIMARY KEY, event_id TEXT, event_type TEXT, "timestamp" INTEGER, event_data TEXT,
                                  amount INTEGER, score REAL, flag INTEGER, price BLOB, day TEXT, dt TEXT, tod TEXT, payload BLOB,
                                  tags TEXT, info TEXT);
                CREATE INDEX bq_t_ts ON bq_t("timestamp");
                INSERT INTO bq_t VALUES (1, 'e1', 'click', 1714564800000000, '{"a":1,"b":[1,2],"c":"x"}', 10, 1.5, 1, '2.5',
                                         '2024-05-01', '2024-05-01T12:00:00', '12:00:00', x'0102', '["a","b"]', '{"a":"x","b":"1"}');
                INSERT INTO bq_t VALUES (2, 'e2', NULL, -500000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '[]', NULL);
                INSERT INTO bq_t VALUES (3, 'e3', 'view', 253402300799999999, '{"a":{"b":null}}', -9223372036854775808, -0.5, 0, '-12345678901234567890.123456789',
                                         '9999-12-31', '0001-01-01T00:00:00', '23:59:59.999999', x'', '["c"]', '{"a":null,"b":"2"}');
            )";
            char *message = nullptr;
            if (sqlite3_exec(db, setup, nullptr, nullptr, &message) != SQLITE_OK)
                fail("cannot create the table", message);
            catalog = [](const QString &project, const QString &dataset, const QString &table) -> std::optional<SqlTable> {
                if (project != u"p"_s || dataset != u"d"_s)
                    return std::nullopt;
                if (table == u"t"_s)
                    return SqlTable {u"bq_t"_s, schema(), std::nullopt};
                if (table == u"s"_s)
                    return SqlTable {u"bq_t"_s, schema(), 2};
                return std::nullopt;
            };
            parameters = {
                parameter("n", FieldType::Int64, "5"),
                parameter("s", FieldType::String, "2024-05-01"),
                parameter("ts", FieldType::Timestamp, "2024-05-01T00:00:00Z"),
                parameter("f", FieldType::Float64, "2.5"),
                parameter("b", FieldType::Bool, "true"),
                parameter("d", FieldType::Date, "2024-05-01"),
                parameter("j", FieldType::Json, "{\"a\":1}"),
                parameter("num", FieldType::Numeric, "1.25"),
                parameter("by", FieldType::Bytes, "AQI="),
                parameter("path", FieldType::String, "$.a"),
                parameter("nul", FieldType::Int64, nullptr),
                parameter("arr", FieldType::Int64, "1", true),
                parameter("st", FieldType::Record, "1"),
                parameter("", FieldType::Int64, "1"),
                parameter("", FieldType::String, "x"),
                parameter("", FieldType::Timestamp, "2024-05-01T00:00:00Z"),
            };
            options.defaultProject = u"p"_s;
            options.defaultDataset = u"d"_s;
            options.nowMicros = 1714564800000000;
        }
    };

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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static Fixture fixture;
    const QString query = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<TranslatedQuery> translated = translateQuery(query, fixture.parameters, fixture.catalog, fixture.options);
    if (!translated) {
        const ApiError &error = translated.error();
        const bool invalid = error.httpStatus == 400 && error.reason == u"invalidQuery"_s;
        const bool notFound = error.httpStatus == 404 && error.reason == u"notFound"_s;
        if (!invalid && !notFound)
            fail("unexpected kind of error", error.message.toUtf8());
        return 0;
    }
    const TranslatedQuery &q = *translated;
    sqlite3_stmt *st = nullptr;
    if (sqlite3_prepare_v2(fixture.db, q.sql.constData(), int(q.sql.size()), &st, nullptr) != SQLITE_OK)
        fail("the translation does not prepare", QByteArray(sqlite3_errmsg(fixture.db)) + "\nquery: " + query.toUtf8() + "\nsql: " + q.sql);
    if (sqlite3_bind_parameter_count(st) != q.bindings.size())
        fail("placeholders and bindings differ", q.sql);
    if (sqlite3_column_count(st) != q.resultSchema.fields.size())
        fail("result columns and schema differ", q.sql);
    bindAll(st, q.bindings);
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW && ++rows < 100) {
    }
    sqlite3_finalize(st);
    return 0;
}
