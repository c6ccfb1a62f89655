#include "core/localcloud/sql/sqltranslator.h"

#include <cmath>
#include <limits>

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

#include "core/bigquery/numeric.h"
#include "core/common/timeutil.h"
#include "core/localcloud/sql/keyhash.h"
#include "core/localcloud/sql/sqlast.h"
#include "core/localcloud/sql/sqllexer.h"
#include "core/localcloud/sql/sqlparser.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud
{
    namespace
    {
        using namespace Sql;
        using BigQuery::FieldType;
        using BigQuery::TableField;

        constexpr int MAX_QUERY_CHARS = 1024 * 1024;           // BigQuery's limit on the query text
        constexpr int MAX_SQL_CHARS = 4 * 1024 * 1024;         // emitted SQL; only duplicating functions get near it
        constexpr int MAX_BINDINGS = 32000;                    // SQLite's SQLITE_MAX_VARIABLE_NUMBER is 32766
        constexpr int MAX_COLUMNS = 1900;                      // SQLite's SQLITE_MAX_COLUMN is 2000
        constexpr int MAX_FUNCTION_ARGUMENTS = 100;            // SQLite's SQLITE_MAX_FUNCTION_ARG is 127
        // SQLite 3.40's LALR parser has a fixed stack of 100 entries and its expression trees may be at most
        // 1000 deep. The emitter estimates both for every fragment (conservatively, checked by the tests and
        // the fuzzer) and refuses queries that would fail to prepare.
        constexpr int MAX_SQLITE_STACK = 80;
        constexpr int MAX_SQLITE_TREE = 800;
        constexpr int MAX_FLAT_CHAIN = 32;                     // longer AND/OR chains are emitted as a balanced tree

        constexpr qint64 MICROS_PER_MILLI = 1000;
        constexpr qint64 MICROS_PER_SECOND = 1000000;
        constexpr qint64 MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
        constexpr qint64 MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
        constexpr qint64 MICROS_PER_DAY = 24 * MICROS_PER_HOUR;
        // Days from 0001-01-01 to 1970-01-01. SQLite's integer '/' truncates toward zero; adding this offset
        // (a whole number of days) before dividing keeps the dividend non-negative over BigQuery's TIMESTAMP
        // range, so '/' floors, and the timestamp expression is written only once.
        constexpr qint64 EPOCH_OFFSET_DAYS = 719162;
        constexpr qint64 EPOCH_OFFSET_MICROS = EPOCH_OFFSET_DAYS * MICROS_PER_DAY;
        constexpr qint64 EPOCH_OFFSET_SECONDS = EPOCH_OFFSET_DAYS * 86400;

        const QString SEQ_COLUMN = u"\"_aq_seq\""_s;

        enum class TruncUnit
        {
            Microsecond,
            Fixed,      // MILLISECOND .. DAY: resolved.unitMicros
            Week,       // resolved.unitMicros: the offset in days that aligns the week start
            Month,
            Quarter,
            Year,
        };

        // SQLite operator precedence, loosest first (https://sqlite.org/lang_expr.html#operators).
        enum Precedence
        {
            PREC_OR = 10,
            PREC_AND = 20,
            PREC_NOT = 30,
            PREC_EQUALITY = 35,     // = <> IS IN LIKE BETWEEN ISNULL
            PREC_RELATIONAL = 40,   // < <= > >=
            PREC_ESCAPE = 45,
            PREC_ADD = 60,
            PREC_MULTIPLY = 70,
            PREC_CONCAT = 80,       // || -> ->>
            PREC_UNARY = 90,
            PREC_ATOM = 100,
        };

        // A piece of emitted SQLite with what the emitter needs to combine it safely.
        struct Fragment
        {
            QString sql;
            int precedence = PREC_ATOM;
            int stack = 1;          // estimated SQLite parser stack use
            int tree = 1;           // estimated SQLite expression tree height
            bool number = false;    // certainly a number in SQLite (a computed NUMERIC, not its decimal text)
        };

        QString quoteIdentifier(const QString &name)
        {
            QString quoted = name;
            quoted.replace(u'"', u"\"\""_s);
            return u'"' + quoted + u'"';
        }

        bool isNumeric(FieldType type)
        {
            return type == FieldType::Int64 || type == FieldType::Float64 || type == FieldType::Numeric || type == FieldType::BigNumeric;
        }

        int numericRank(FieldType type)
        {
            switch (type) {
            case FieldType::Int64: return 1;
            case FieldType::Numeric: return 2;
            case FieldType::BigNumeric: return 3;
            case FieldType::Float64: return 4;
            default: return 0;
            }
        }

        bool isTemporal(FieldType type)
        {
            return type == FieldType::Timestamp || type == FieldType::Date || type == FieldType::Datetime || type == FieldType::Time;
        }

        // Types with equality (=, IN, GROUP BY, DISTINCT) in GoogleSQL that the local cloud stores comparably.
        bool isEquatable(const SqlType &type)
        {
            return type.isScalar() && type.type != FieldType::Json && type.type != FieldType::Geography;
        }

        bool isOrderable(const SqlType &type)
        {
            return isEquatable(type);
        }

        SqlType scalar(FieldType type)
        {
            SqlType t;
            t.type = type;
            return t;
        }

        SqlType typeOfField(const TableField &field)
        {
            SqlType t;
            t.type = field.type;
            t.repeated = field.isRepeated();
            t.fields = field.fields;
            return t;
        }

        std::optional<FieldType> castTypeFromName(const QString &upper)
        {
            static const QHash<QString, FieldType> names {
                {u"INT64"_s, FieldType::Int64},        {u"INT"_s, FieldType::Int64},          {u"INTEGER"_s, FieldType::Int64},
                {u"SMALLINT"_s, FieldType::Int64},     {u"BIGINT"_s, FieldType::Int64},       {u"TINYINT"_s, FieldType::Int64},
                {u"BYTEINT"_s, FieldType::Int64},      {u"FLOAT64"_s, FieldType::Float64},    {u"NUMERIC"_s, FieldType::Numeric},
                {u"DECIMAL"_s, FieldType::Numeric},    {u"BIGNUMERIC"_s, FieldType::BigNumeric}, {u"BIGDECIMAL"_s, FieldType::BigNumeric},
                {u"BOOL"_s, FieldType::Bool},          {u"BOOLEAN"_s, FieldType::Bool},       {u"STRING"_s, FieldType::String},
                {u"BYTES"_s, FieldType::Bytes},        {u"DATE"_s, FieldType::Date},          {u"DATETIME"_s, FieldType::Datetime},
                {u"TIME"_s, FieldType::Time},          {u"TIMESTAMP"_s, FieldType::Timestamp}, {u"JSON"_s, FieldType::Json},
                {u"GEOGRAPHY"_s, FieldType::Geography},
            };
            const auto it = names.constFind(upper);
            if (it == names.constEnd())
                return std::nullopt;
            return *it;
        }

        // Only the forms BigQuery takes as TIMESTAMP literals: a date, optionally with a time and zone.
        std::optional<qint64> parseTimestampLiteral(const QString &text)
        {
            static const QRegularExpression datePrefix(u"^\\s*\\d{4}-\\d{1,2}-\\d{1,2}"_s);
            if (!datePrefix.match(text).hasMatch())
                return std::nullopt;
            return Time::parseTimestamp(text);
        }

        // NUMERIC and BIGNUMERIC are stored as their exact decimal text, normalized (no exponent, no leading
        // zeros, no trailing fraction zeros, no "-0"), as the row codec writes them; literals and parameters
        // are bound the same way. nullopt when not a number or beyond the type's precision.
        std::optional<SqlValue> parseNumericText(const QString &text, bool big)
        {
            const std::optional<QString> decimal = BigQuery::normalizeNumeric(text, big);
            if (!decimal)
                return std::nullopt;
            return SqlValue {*decimal};
        }

        std::optional<double> parseFloatText(const QString &text)
        {
            const QString t = text.trimmed().toLower();
            if (t == u"nan"_s)
                return std::numeric_limits<double>::quiet_NaN();
            if (t == u"inf"_s || t == u"infinity"_s || t == u"+inf"_s || t == u"+infinity"_s)
                return std::numeric_limits<double>::infinity();
            if (t == u"-inf"_s || t == u"-infinity"_s)
                return -std::numeric_limits<double>::infinity();
            static const QRegularExpression pattern(u"^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$"_s);
            if (!pattern.match(t).hasMatch())
                return std::nullopt;
            bool ok = false;
            const double value = t.toDouble(&ok);
            if (!ok)
                return std::nullopt;
            return value;
        }

        bool isValidJson(const QString &text)
        {
            // QJsonDocument only takes objects and arrays at the top; wrapping also admits scalars.
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(u"["_s.append(text).append(u']').toUtf8(), &error);
            return error.error == QJsonParseError::NoError && document.isArray() && document.array().size() == 1;
        }

        // BigQuery JSONPath ($.a.b, $."a.b", $[0], $['a']) to SQLite's ($."a"."b", $[0]); nullopt when invalid
        // or not expressible.
        std::optional<QString> toSqliteJsonPath(const QString &path)
        {
            if (!path.startsWith(u'$'))
                return std::nullopt;
            QString out = u"$"_s;
            int i = 1;
            auto appendKey = [&out](const QString &key) {
                if (key.isEmpty() || key.contains(u'"'))
                    return false;
                out += u".\""_s + key + u'"';
                return true;
            };
            while (i < path.size()) {
                const QChar c = path[i];
                if (c == u'.') {
                    ++i;
                    if (i < path.size() && path[i] == u'"') {
                        const int close = path.indexOf(u'"', i + 1);
                        if (close < 0 || !appendKey(path.mid(i + 1, close - i - 1)))
                            return std::nullopt;
                        i = close + 1;
                    } else {
                        const int start = i;
                        while (i < path.size() && path[i] != u'.' && path[i] != u'[' && path[i] != u']' && path[i] != u'\'' && path[i] != u'"'
                               && !path[i].isSpace())
                            ++i;
                        if (!appendKey(path.mid(start, i - start)))
                            return std::nullopt;
                    }
                } else if (c == u'[') {
                    ++i;
                    if (i < path.size() && (path[i] == u'\'' || path[i] == u'"')) {
                        const QChar quote = path[i];
                        const int close = path.indexOf(quote, i + 1);
                        if (close < 0 || !appendKey(path.mid(i + 1, close - i - 1)))
                            return std::nullopt;
                        i = close + 1;
                    } else {
                        const int start = i;
                        while (i < path.size() && path[i].isDigit() && path[i].unicode() < 128)
                            ++i;
                        bool ok = false;
                        const int index = path.mid(start, i - start).toInt(&ok);
                        if (!ok || i - start > 9)
                            return std::nullopt;
                        out += u"[%1]"_s.arg(index);
                    }
                    if (i >= path.size() || path[i] != u']')
                        return std::nullopt;
                    ++i;
                } else {
                    return std::nullopt;
                }
            }
            return out;
        }

        struct OutputColumn
        {
            const Expr *expr = nullptr;
            QString name;               // empty: anonymous (f0_, f1_, ...)
            bool explicitAlias = false;
            SourcePos pos;
        };

        enum class Clause
        {
            Select,
            Where,
            GroupBy,
            Having,
            OrderBy,
        };

        QString clauseName(Clause clause)
        {
            switch (clause) {
            case Clause::Select: return u"SELECT list"_s;
            case Clause::Where: return u"WHERE clause"_s;
            case Clause::GroupBy: return u"GROUP BY clause"_s;
            case Clause::Having: return u"HAVING clause"_s;
            case Clause::OrderBy: return u"ORDER BY clause"_s;
            }
            return QString();
        }

        struct Scope
        {
            Clause clause = Clause::Select;
            bool aliasesVisible = false;
            bool insideAggregate = false;

            bool aggregatesAllowed() const
            {
                return clause == Clause::Select || clause == Clause::Having || clause == Clause::OrderBy;
            }
        };

        class Translator
        {
        public:
            Translator(const QList<QueryParameter> &parameters, const SqlCatalog &catalog, const TranslateOptions &options)
                : m_catalog {catalog}
                , m_options {options}
            {
                for (int i = 0; i < parameters.size(); ++i) {
                    const QueryParameter &parameter = parameters[i];
                    if (parameter.name.isEmpty()) {
                        m_positional.append(parameter);
                    } else {
                        const QString key = parameter.name.toLower();
                        if (!m_named.contains(key))
                            m_named.insert(key, parameter);
                    }
                }
            }

            Result<TranslatedQuery> run(const QString &googleSql)
            {
                if (googleSql.size() > MAX_QUERY_CHARS)
                    return ApiError::invalidArgument(u"The query is too large. The maximum standard SQL query length is 1024.00K characters, including comments and white space characters."_s,
                                                     u"invalidQuery"_s);
                Result<std::vector<Token>> tokens = tokenize(googleSql);
                if (!tokens)
                    return tokens.error();
                Result<SelectStatement> statement = parseStatement(tokens.value());
                if (!statement)
                    return statement.error();
                m_statement = std::move(statement).value();
                if (!analyze() || !emitQuery())
                    return *m_error;
                return std::move(m_result);
            }

        private:
            bool fail(const ApiError &error)
            {
                if (!m_error)
                    m_error = error;
                return false;
            }

            // ---- analysis ------------------------------------------------------------------------

            bool analyze()
            {
                SelectStatement &s = m_statement;
                if (s.from.present && !resolveTable())
                    return false;
                if (!s.from.present) {
                    if (s.where)
                        return fail(invalidQuery(u"Query without FROM clause cannot have a WHERE clause"_s, s.where->pos));
                    if (!s.groupBy.empty())
                        return fail(invalidQuery(u"Query without FROM clause cannot have a GROUP BY clause"_s, s.groupBy.front()->pos));
                }
                if (!expandSelectList())
                    return false;
                if (s.where) {
                    if (!resolve(s.where.get(), Scope {Clause::Where}) || !requireBool(s.where.get(), u"WHERE clause"_s))
                        return false;
                }
                if (!resolveGroupBy())
                    return false;
                m_aggregate = !m_groupKeys.empty();
                for (const OutputColumn &column : m_columns)
                    m_aggregate = m_aggregate || column.expr->resolved.containsAggregate;
                if (s.having) {
                    if (!resolve(s.having.get(), Scope {Clause::Having, true}) || !requireBool(s.having.get(), u"HAVING clause"_s))
                        return false;
                    m_aggregate = m_aggregate || s.having->resolved.containsAggregate;
                    if (!m_aggregate)
                        return fail(invalidQuery(u"The HAVING clause requires GROUP BY or aggregation to be present"_s, s.having->pos));
                }
                if (!resolveOrderBy())
                    return false;
                for (const auto &orderKey : m_orderKeys)
                    m_aggregate = m_aggregate || orderKey.first->resolved.containsAggregate;
                if (!checkAggregation() || !checkDistinct() || !resolveLimit() || !buildSchema())
                    return false;
                return true;
            }

            bool resolveTable()
            {
                const TableRef &from = m_statement.from;
                QString project = m_options.defaultProject;
                QString dataset;
                QString table;
                if (from.path.size() == 3) {
                    project = from.path[0];
                    dataset = from.path[1];
                    table = from.path[2];
                } else if (from.path.size() == 2) {
                    dataset = from.path[0];
                    table = from.path[1];
                } else {
                    table = from.path.value(0);
                    if (m_options.defaultDataset.isEmpty())
                        return fail(invalidQuery(u"Table \"%1\" must be qualified with a dataset (e.g. dataset.table)."_s.arg(table), from.pos));
                    dataset = m_options.defaultDataset;
                }
                std::optional<SqlTable> resolved = m_catalog ? m_catalog(project, dataset, table) : std::nullopt;
                if (!resolved)
                    return fail(ApiError::notFound(u"Not found: Table %1:%2.%3"_s.arg(project, dataset, table)));
                m_table = std::move(*resolved);
                m_rangeName = from.alias.isEmpty() ? table : from.alias;
                return true;
            }

            Expr *synthesizeColumn(int column, SourcePos pos)
            {
                auto expr = std::make_unique<Expr>();
                expr->kind = ExprKind::Path;
                expr->pos = pos;
                expr->path = QStringList {m_table->schema.fields[column].name};
                expr->pathPos = QList<SourcePos> {pos};
                expr->resolved.done = true;
                expr->resolved.column = column;
                expr->resolved.type = typeOfField(m_table->schema.fields[column]);
                m_synthesized.push_back(std::move(expr));
                return m_synthesized.back().get();
            }

            bool expandSelectList()
            {
                for (SelectItem &item : m_statement.items) {
                    if (!item.isStar) {
                        if (!resolve(item.expr.get(), Scope {Clause::Select}))
                            return false;
                        OutputColumn column;
                        column.expr = item.expr.get();
                        column.pos = item.pos;
                        if (!item.alias.isEmpty()) {
                            column.name = item.alias;
                            column.explicitAlias = true;
                        } else if (item.expr->kind == ExprKind::Path) {
                            column.name = item.expr->path.last();
                        }
                        m_columns.push_back(column);
                        continue;
                    }
                    if (!m_table)
                        return fail(invalidQuery(u"SELECT * must have a FROM clause"_s, item.pos));
                    if (!item.starQualifier.isEmpty() && item.starQualifier.compare(m_rangeName, Qt::CaseInsensitive) != 0) {
                        const QString first = item.starQualifier.section(u'.', 0, 0);
                        const int index = m_table->schema.indexOf(first);
                        if (index < 0)
                            return fail(invalidQuery(u"Unrecognized name: %1"_s.arg(first), item.starQualifierPos));
                        if (m_table->schema.fields[index].type == FieldType::Record)
                            return fail(unsupported(u"RECORD sub-field access (%1.*)"_s.arg(item.starQualifier), item.starQualifierPos));
                        return fail(invalidQuery(u"Dot-star is not supported for type %1"_s.arg(typeOfField(m_table->schema.fields[index]).name()),
                                                 item.starQualifierPos));
                    }
                    QSet<int> excluded;
                    for (int i = 0; i < item.exceptColumns.size(); ++i) {
                        const int index = m_table->schema.indexOf(item.exceptColumns[i]);
                        if (index < 0)
                            return fail(invalidQuery(u"Column %1 in SELECT * EXCEPT list does not exist"_s.arg(item.exceptColumns[i]), item.exceptPos[i]));
                        if (excluded.contains(index))
                            return fail(invalidQuery(u"Duplicate column %1 in SELECT * EXCEPT list"_s.arg(item.exceptColumns[i]), item.exceptPos[i]));
                        excluded.insert(index);
                    }
                    int added = 0;
                    for (int i = 0; i < m_table->schema.fields.size(); ++i) {
                        if (excluded.contains(i))
                            continue;
                        OutputColumn column;
                        column.expr = synthesizeColumn(i, item.pos);
                        column.name = m_table->schema.fields[i].name;
                        column.pos = item.pos;
                        m_columns.push_back(column);
                        ++added;
                    }
                    if (added == 0)
                        return fail(invalidQuery(u"SELECT * expands to zero columns after applying EXCEPT"_s, item.pos));
                }
                if (int(m_columns.size()) > MAX_COLUMNS)
                    return fail(unsupported(u"more than %1 result columns"_s.arg(MAX_COLUMNS), m_statement.pos));
                return true;
            }

            // A SELECT-list alias (explicit ones only) for GROUP BY / HAVING / ORDER BY; -1 none, -2 ambiguous.
            int findAlias(const QString &name) const
            {
                int found = -1;
                for (int i = 0; i < int(m_columns.size()); ++i) {
                    if (m_columns[size_t(i)].explicitAlias && m_columns[size_t(i)].name.compare(name, Qt::CaseInsensitive) == 0) {
                        if (found >= 0 && m_columns[size_t(found)].expr != m_columns[size_t(i)].expr)
                            return -2;
                        found = i;
                    }
                }
                return found;
            }

            // A bare integer literal in GROUP BY / ORDER BY is a 1-based column ordinal.
            std::optional<int> ordinalOf(const Expr *e) const
            {
                if (e->kind != ExprKind::IntLiteral || e->text.startsWith(u'-'))
                    return std::nullopt;
                bool ok = false;
                const qlonglong value = e->text.startsWith(u"0x"_s, Qt::CaseInsensitive) ? e->text.mid(2).toLongLong(&ok, 16) : e->text.toLongLong(&ok);
                if (!ok || value > std::numeric_limits<int>::max())
                    return std::numeric_limits<int>::max();
                return int(value);
            }

            bool resolveGroupBy()
            {
                for (ExprPtr &key : m_statement.groupBy) {
                    const Expr *target = nullptr;
                    if (const std::optional<int> ordinal = ordinalOf(key.get())) {
                        if (*ordinal < 1 || *ordinal > int(m_columns.size()))
                            return fail(invalidQuery(u"GROUP BY is out of SELECT column number range: %1"_s.arg(key->text), key->pos));
                        target = m_columns[size_t(*ordinal - 1)].expr;
                        if (target->resolved.containsAggregate)
                            return fail(invalidQuery(u"GROUP BY position %1 refers to an aggregate"_s.arg(*ordinal), key->pos));
                    } else if (key->kind == ExprKind::Path && key->path.size() == 1) {
                        const int alias = findAlias(key->path.first());
                        if (alias == -2)
                            return fail(invalidQuery(u"Column name %1 is ambiguous"_s.arg(key->path.first()), key->pos));
                        if (alias >= 0) {
                            target = m_columns[size_t(alias)].expr;
                            if (target->resolved.containsAggregate)
                                return fail(invalidQuery(u"Column %1 contains an aggregation function, which is not allowed in GROUP BY"_s.arg(key->path.first()),
                                                         key->pos));
                        }
                    }
                    if (!target) {
                        if (!resolve(key.get(), Scope {Clause::GroupBy}))
                            return false;
                        target = key.get();
                    }
                    if (!isEquatable(target->resolved.type))
                        return fail(invalidQuery(u"Grouping by expressions of type %1 is not allowed"_s.arg(target->resolved.type.name()), key->pos));
                    m_groupKeys.push_back(target);
                }
                return true;
            }

            bool resolveOrderBy()
            {
                for (OrderItem &item : m_statement.orderBy) {
                    const Expr *target = nullptr;
                    if (const std::optional<int> ordinal = ordinalOf(item.expr.get())) {
                        if (*ordinal < 1 || *ordinal > int(m_columns.size()))
                            return fail(invalidQuery(u"ORDER BY is out of SELECT column number range: %1"_s.arg(item.expr->text), item.expr->pos));
                        target = m_columns[size_t(*ordinal - 1)].expr;
                    } else {
                        if (!resolve(item.expr.get(), Scope {Clause::OrderBy, true}))
                            return false;
                        target = item.expr.get();
                    }
                    if (!isOrderable(target->resolved.type))
                        return fail(invalidQuery(u"ORDER BY does not support expressions of type %1"_s.arg(target->resolved.type.name()), item.expr->pos));
                    m_orderKeys.push_back({target, &item});
                }
                return true;
            }

            bool resolveLimit()
            {
                auto check = [this](Expr *e, const QString &clause) -> bool {
                    if (!e)
                        return true;
                    bool parameter = e->kind == ExprKind::NamedParameter || e->kind == ExprKind::PositionalParameter;
                    if (e->kind != ExprKind::IntLiteral && !parameter)
                        return fail(invalidQuery(u"%1 expects an integer literal or parameter"_s.arg(clause), e->pos));
                    if (!resolve(e, Scope {Clause::Where}))
                        return false;
                    if (!e->resolved.type.is(FieldType::Int64))
                        return fail(invalidQuery(u"%1 expects an integer literal or parameter, but got %2"_s.arg(clause, e->resolved.type.name()), e->pos));
                    if (e->resolved.constantIsNull)
                        return fail(invalidQuery(u"%1 must not be null"_s.arg(clause), e->pos));
                    if (std::get<qint64>(*e->resolved.constant) < 0)
                        return fail(invalidQuery(u"%1 expects a non-negative integer literal or parameter"_s.arg(clause), e->pos));
                    return true;
                };
                return check(m_statement.limit.get(), u"LIMIT"_s) && check(m_statement.offset.get(), u"OFFSET"_s);
            }

            // ---- aggregation and DISTINCT checks -------------------------------------------------

            static bool sameExpr(const Expr *a, const Expr *b)
            {
                while (a->kind == ExprKind::AliasRef)
                    a = a->resolved.alias;
                while (b->kind == ExprKind::AliasRef)
                    b = b->resolved.alias;
                if (a == b)
                    return true;
                if (a->kind != b->kind || a->args.size() != b->args.size())
                    return false;
                switch (a->kind) {
                case ExprKind::Path:
                    if (a->resolved.column >= 0 || b->resolved.column >= 0) {
                        if (a->resolved.column != b->resolved.column)
                            return false;
                    } else if (a->path.join(u'.').compare(b->path.join(u'.'), Qt::CaseInsensitive) != 0) {
                        return false;
                    }
                    break;
                case ExprKind::IntLiteral:
                case ExprKind::FloatLiteral:
                case ExprKind::StringLiteral:
                    if (a->text != b->text)
                        return false;
                    break;
                case ExprKind::BytesLiteral:
                    if (a->bytes != b->bytes)
                        return false;
                    break;
                case ExprKind::TypedLiteral:
                    if (a->name != b->name || a->text != b->text)
                        return false;
                    break;
                case ExprKind::NamedParameter:
                    if (a->name.compare(b->name, Qt::CaseInsensitive) != 0)
                        return false;
                    break;
                case ExprKind::PositionalParameter:
                    if (a->parameterIndex != b->parameterIndex)
                        return false;
                    break;
                default:
                    break;
                }
                if (a->unaryOp != b->unaryOp || a->binaryOp != b->binaryOp || a->negated != b->negated || a->boolValue != b->boolValue
                    || a->distinct != b->distinct || a->star != b->star || a->name != b->name)
                    return false;
                for (size_t i = 0; i < a->args.size(); ++i) {
                    if (!sameExpr(a->args[i].get(), b->args[i].get()))
                        return false;
                }
                return true;
            }

            enum class CheckMode
            {
                Grouped,    // aggregate query: columns only inside aggregates or grouped expressions
                Distinct,   // ORDER BY after SELECT DISTINCT: only what the SELECT list shows
            };

            bool checkVisible(const Expr *e, const std::vector<const Expr *> &keys, CheckMode mode, Clause clause)
            {
                for (const Expr *key : keys) {
                    if (sameExpr(e, key))
                        return true;
                }
                if (e->kind == ExprKind::AliasRef)
                    return true;
                if (e->resolved.aggregate) {
                    if (mode == CheckMode::Grouped)
                        return true;
                    return fail(invalidQuery(u"ORDER BY clause expression is not visible after SELECT DISTINCT"_s, e->pos));
                }
                if (e->kind == ExprKind::Path && e->resolved.column >= 0) {
                    const QString name = m_table->schema.fields[e->resolved.column].name;
                    if (mode == CheckMode::Distinct)
                        return fail(invalidQuery(u"ORDER BY clause expression references column %1 which is not visible after SELECT DISTINCT"_s.arg(name), e->pos));
                    return fail(invalidQuery(u"%1 expression references column %2 which is neither grouped nor aggregated"_s.arg(clauseName(clause), name), e->pos));
                }
                for (const ExprPtr &arg : e->args) {
                    if (!checkVisible(arg.get(), keys, mode, clause))
                        return false;
                }
                return true;
            }

            bool checkAggregation()
            {
                if (!m_aggregate)
                    return true;
                for (const OutputColumn &column : m_columns) {
                    if (!checkVisible(column.expr, m_groupKeys, CheckMode::Grouped, Clause::Select))
                        return false;
                }
                if (m_statement.having && !checkVisible(m_statement.having.get(), m_groupKeys, CheckMode::Grouped, Clause::Having))
                    return false;
                for (const auto &orderKey : m_orderKeys) {
                    if (!checkVisible(orderKey.first, m_groupKeys, CheckMode::Grouped, Clause::OrderBy))
                        return false;
                }
                return true;
            }

            bool checkDistinct()
            {
                if (!m_statement.distinct)
                    return true;
                std::vector<const Expr *> shown;
                for (const OutputColumn &column : m_columns) {
                    if (!isEquatable(column.expr->resolved.type))
                        return fail(invalidQuery(u"Column %1 of type %2 cannot be used in SELECT DISTINCT"_s
                                                     .arg(column.name.isEmpty() ? u"(unnamed)"_s : column.name, column.expr->resolved.type.name()),
                                                 column.pos));
                    shown.push_back(column.expr);
                }
                for (const auto &orderKey : m_orderKeys) {
                    if (!checkVisible(orderKey.first, shown, CheckMode::Distinct, Clause::OrderBy))
                        return false;
                }
                return true;
            }

            bool buildSchema()
            {
                int anonymous = 0;
                QHash<QString, int> seen;
                for (const OutputColumn &column : m_columns) {
                    TableField field;
                    const Expr *e = column.expr;
                    if (e->kind == ExprKind::Path && e->resolved.column >= 0) {
                        field = m_table->schema.fields[e->resolved.column];
                        field.description.clear();
                    } else {
                        field.type = e->resolved.type.type;
                        field.mode = e->resolved.type.repeated ? BigQuery::FieldMode::Repeated : BigQuery::FieldMode::Nullable;
                        field.fields = e->resolved.type.fields;
                    }
                    field.name = column.name.isEmpty() ? u"f%1_"_s.arg(anonymous++) : column.name;
                    const QString key = field.name.toLower();
                    if (seen.contains(key))
                        return fail(invalidQuery(u"Duplicate column names in the result are not supported. Found duplicate(s): %1"_s.arg(field.name), column.pos));
                    seen.insert(key, 1);
                    m_result.resultSchema.fields.append(field);
                }
                return true;
            }

            // ---- expressions ---------------------------------------------------------------------

            bool requireBool(const Expr *e, const QString &where)
            {
                if (e->resolved.type.is(FieldType::Bool) || e->resolved.untypedNull)
                    return true;
                return fail(invalidQuery(u"%1 should return type BOOL, but returns %2"_s.arg(where, e->resolved.type.name()), e->pos));
            }

            bool noSignature(const QString &what, const std::vector<const Expr *> &args, SourcePos pos)
            {
                QStringList names;
                for (const Expr *arg : args)
                    names.append(arg->resolved.type.name());
                return fail(invalidQuery(u"No matching signature for %1 for argument types: %2"_s.arg(what, names.join(u", "_s)), pos));
            }

            static std::optional<SqlType> superType(const SqlType &a, const SqlType &b)
            {
                if (a == b)
                    return a;
                if (a.isScalar() && b.isScalar() && isNumeric(a.type) && isNumeric(b.type))
                    return numericRank(a.type) >= numericRank(b.type) ? a : b;
                return std::nullopt;
            }

            // Converts a STRING literal or parameter to a date/time type at translate time, as BigQuery coerces
            // literals; the coerced value is bound instead of the text.
            bool coerceString(Expr *e, FieldType target)
            {
                Expr::Resolved &r = e->resolved;
                r.type = scalar(target);
                const QString text = *r.coercibleString;
                r.coercibleString.reset();
                if (r.constantIsNull)
                    return true;
                std::optional<SqlValue> value;
                switch (target) {
                case FieldType::Timestamp:
                    if (const std::optional<qint64> micros = parseTimestampLiteral(text))
                        value = SqlValue {*micros};
                    break;
                case FieldType::Date:
                    if (const std::optional<QString> date = Time::normalizeDate(text))
                        value = SqlValue {*date};
                    break;
                case FieldType::Datetime:
                    if (const std::optional<QString> datetime = Time::normalizeDatetime(text))
                        value = SqlValue {*datetime};
                    break;
                case FieldType::Time:
                    if (const std::optional<QString> time = Time::normalizeTime(text))
                        value = SqlValue {*time};
                    break;
                default:
                    break;
                }
                if (!value)
                    return fail(invalidQuery(u"Could not cast literal \"%1\" to type %2"_s.arg(text.left(200), BigQuery::standardTypeName(target)), e->pos));
                r.constant = value;
                return true;
            }

            // Finds the common type of operands (BigQuery's supertype rules for the subset: numeric widening,
            // NULL to anything, STRING literals and parameters to date/time types) and coerces them to it.
            std::optional<SqlType> unify(const std::vector<Expr *> &exprs, const QString &what, SourcePos pos)
            {
                std::optional<SqlType> common;
                bool sawString = false;
                bool ok = true;
                for (const Expr *e : exprs) {
                    if (e->resolved.untypedNull)
                        continue;
                    if (e->resolved.coercibleString) {
                        sawString = true;
                        continue;
                    }
                    if (!common) {
                        common = e->resolved.type;
                        continue;
                    }
                    common = superType(*common, e->resolved.type);
                    if (!common) {
                        ok = false;
                        break;
                    }
                }
                if (ok && !common)
                    common = sawString ? scalar(FieldType::String) : scalar(FieldType::Int64);
                if (ok) {
                    for (const Expr *e : exprs) {
                        if (e->resolved.coercibleString && !common->is(FieldType::String) && !(common->isScalar() && isTemporal(common->type)))
                            ok = false;
                    }
                }
                if (!ok) {
                    noSignature(what, std::vector<const Expr *>(exprs.begin(), exprs.end()), pos);
                    return std::nullopt;
                }
                for (Expr *e : exprs) {
                    if (e->resolved.coercibleString && !common->is(FieldType::String)) {
                        if (!coerceString(e, common->type))
                            return std::nullopt;
                    } else if (e->resolved.untypedNull) {
                        e->resolved.type = *common;
                    }
                }
                return common;
            }

            bool resolveChildren(Expr *e, const Scope &scope)
            {
                for (ExprPtr &arg : e->args) {
                    if (!resolve(arg.get(), scope))
                        return false;
                }
                return true;
            }

            std::vector<Expr *> children(Expr *e, size_t from = 0)
            {
                std::vector<Expr *> out;
                for (size_t i = from; i < e->args.size(); ++i)
                    out.push_back(e->args[i].get());
                return out;
            }

            bool resolve(Expr *e, const Scope &scope)
            {
                if (e->resolved.done)
                    return true;
                if (!resolveNode(e, scope))
                    return false;
                e->resolved.done = true;
                bool contains = e->resolved.aggregate;
                for (const ExprPtr &arg : e->args)
                    contains = contains || arg->resolved.containsAggregate;
                if (e->kind == ExprKind::AliasRef)
                    contains = e->resolved.alias->resolved.containsAggregate;
                e->resolved.containsAggregate = contains;
                return true;
            }

            bool resolveNode(Expr *e, const Scope &scope)
            {
                Expr::Resolved &r = e->resolved;
                switch (e->kind) {
                case ExprKind::NullLiteral:
                    r.type = scalar(FieldType::Int64);
                    r.untypedNull = true;
                    r.constantIsNull = true;
                    return true;
                case ExprKind::BoolLiteral:
                    r.type = scalar(FieldType::Bool);
                    r.constant = SqlValue {qint64(e->boolValue ? 1 : 0)};
                    return true;
                case ExprKind::IntLiteral:
                    return resolveIntLiteral(e);
                case ExprKind::FloatLiteral: {
                    bool ok = false;
                    const double value = e->text.toDouble(&ok);
                    if (!ok || !std::isfinite(value))
                        return fail(invalidQuery(u"Invalid floating point literal: %1"_s.arg(e->text), e->pos));
                    r.type = scalar(FieldType::Float64);
                    r.constant = SqlValue {value};
                    return true;
                }
                case ExprKind::StringLiteral:
                    r.type = scalar(FieldType::String);
                    r.constant = SqlValue {e->text};
                    r.coercibleString = e->text;
                    return true;
                case ExprKind::BytesLiteral:
                    r.type = scalar(FieldType::Bytes);
                    r.constant = SqlValue {e->bytes};
                    return true;
                case ExprKind::TypedLiteral:
                    return resolveTypedLiteral(e);
                case ExprKind::NamedParameter:
                case ExprKind::PositionalParameter:
                    return resolveParameter(e);
                case ExprKind::Path:
                    return resolvePath(e, scope);
                case ExprKind::AliasRef:
                    return true;
                case ExprKind::Unary:
                    return resolveUnary(e, scope);
                case ExprKind::Binary:
                    return resolveBinary(e, scope);
                case ExprKind::And:
                case ExprKind::Or:
                case ExprKind::Not: {
                    if (!resolveChildren(e, scope))
                        return false;
                    for (const ExprPtr &arg : e->args) {
                        if (!arg->resolved.type.is(FieldType::Bool) && !arg->resolved.untypedNull) {
                            const std::vector<Expr *> operands = children(e);
                            return noSignature(u"operator "_s + (e->kind == ExprKind::And ? u"AND"_s : e->kind == ExprKind::Or ? u"OR"_s : u"NOT"_s),
                                               std::vector<const Expr *>(operands.begin(), operands.end()), arg->pos);
                        }
                    }
                    for (const ExprPtr &arg : e->args) {
                        if (arg->resolved.untypedNull)
                            arg->resolved.type = scalar(FieldType::Bool);
                    }
                    r.type = scalar(FieldType::Bool);
                    return true;
                }
                case ExprKind::In:
                case ExprKind::Between:
                case ExprKind::IsDistinct: {
                    if (!resolveChildren(e, scope))
                        return false;
                    const QString what = e->kind == ExprKind::In ? u"operator IN"_s : e->kind == ExprKind::Between ? u"operator BETWEEN"_s : u"operator IS DISTINCT FROM"_s;
                    const std::optional<SqlType> common = unify(children(e), what, e->pos);
                    if (!common)
                        return false;
                    if (!isEquatable(*common))
                        return fail(invalidQuery(u"%1 is not defined for arguments of type %2"_s.arg(e->kind == ExprKind::Between ? u"Ordering"_s : u"Equality"_s, common->name()), e->pos));
                    r.type = scalar(FieldType::Bool);
                    return true;
                }
                case ExprKind::Like: {
                    if (!resolveChildren(e, scope))
                        return false;
                    const Expr *value = e->args[0].get();
                    const Expr *pattern = e->args[1].get();
                    if (value->resolved.type.is(FieldType::Bytes) || pattern->resolved.type.is(FieldType::Bytes))
                        return fail(unsupported(u"LIKE on BYTES"_s, e->pos));
                    for (const ExprPtr &arg : e->args) {
                        if (!arg->resolved.type.is(FieldType::String) && !arg->resolved.untypedNull)
                            return noSignature(u"operator LIKE"_s, {value, pattern}, e->pos);
                        if (arg->resolved.untypedNull)
                            arg->resolved.type = scalar(FieldType::String);
                    }
                    r.type = scalar(FieldType::Bool);
                    return true;
                }
                case ExprKind::IsNull:
                    if (!resolveChildren(e, scope))
                        return false;
                    r.type = scalar(FieldType::Bool);
                    return true;
                case ExprKind::IsBool:
                    if (!resolveChildren(e, scope))
                        return false;
                    if (!e->args[0]->resolved.type.is(FieldType::Bool) && !e->args[0]->resolved.untypedNull)
                        return noSignature(u"operator IS %1"_s.arg(e->boolValue ? u"TRUE"_s : u"FALSE"_s), {e->args[0].get()}, e->pos);
                    r.type = scalar(FieldType::Bool);
                    return true;
                case ExprKind::Function:
                    return resolveFunction(e, scope);
                case ExprKind::Cast:
                    return resolveCast(e, scope);
                case ExprKind::Interval:
                    return fail(unsupported(u"INTERVAL outside TIMESTAMP_ADD/TIMESTAMP_SUB"_s, e->pos));
                }
                return fail(invalidQuery(u"Unexpected expression"_s, e->pos));
            }

            bool resolveIntLiteral(Expr *e)
            {
                QString digits = e->text;
                const bool negative = digits.startsWith(u'-');
                if (negative)
                    digits.remove(0, 1);
                bool ok = false;
                const bool hex = digits.startsWith(u"0x"_s, Qt::CaseInsensitive);
                const qulonglong magnitude = hex ? digits.mid(2).toULongLong(&ok, 16) : digits.toULongLong(&ok, 10);
                const qulonglong limit = qulonglong(std::numeric_limits<qint64>::max()) + (negative ? 1 : 0);
                if (!ok || magnitude > limit)
                    return fail(invalidQuery(u"Invalid integer literal: %1"_s.arg(e->text.left(100)), e->pos));
                qint64 value = 0;
                if (negative)
                    value = magnitude == limit ? std::numeric_limits<qint64>::min() : -qint64(magnitude);
                else
                    value = qint64(magnitude);
                e->resolved.type = scalar(FieldType::Int64);
                e->resolved.constant = SqlValue {value};
                return true;
            }

            bool resolveTypedLiteral(Expr *e)
            {
                Expr::Resolved &r = e->resolved;
                const QString invalid = u"Invalid %1 literal: \"%2\""_s.arg(e->name, e->text.left(200));
                if (e->name == u"TIMESTAMP"_s) {
                    const std::optional<qint64> micros = parseTimestampLiteral(e->text);
                    if (!micros)
                        return fail(invalidQuery(invalid, e->pos));
                    r.type = scalar(FieldType::Timestamp);
                    r.constant = SqlValue {*micros};
                } else if (e->name == u"DATE"_s || e->name == u"DATETIME"_s || e->name == u"TIME"_s) {
                    const std::optional<QString> text = e->name == u"DATE"_s ? Time::normalizeDate(e->text)
                        : e->name == u"TIME"_s                               ? Time::normalizeTime(e->text)
                                                                             : Time::normalizeDatetime(e->text);
                    if (!text)
                        return fail(invalidQuery(invalid, e->pos));
                    r.type = scalar(e->name == u"DATE"_s ? FieldType::Date : e->name == u"TIME"_s ? FieldType::Time : FieldType::Datetime);
                    r.constant = SqlValue {*text};
                } else if (e->name == u"NUMERIC"_s || e->name == u"BIGNUMERIC"_s) {
                    const std::optional<SqlValue> value = parseNumericText(e->text, e->name == u"BIGNUMERIC"_s);
                    if (!value)
                        return fail(invalidQuery(invalid, e->pos));
                    r.type = scalar(e->name == u"NUMERIC"_s ? FieldType::Numeric : FieldType::BigNumeric);
                    r.constant = value;
                } else if (e->name == u"JSON"_s) {
                    if (!isValidJson(e->text))
                        return fail(invalidQuery(invalid, e->pos));
                    r.type = scalar(FieldType::Json);
                    r.constant = SqlValue {e->text};
                } else {
                    return fail(unsupported(u"%1 literal"_s.arg(e->name), e->pos));
                }
                return true;
            }

            bool resolveParameter(Expr *e)
            {
                const QueryParameter *parameter = nullptr;
                QString label;
                if (e->kind == ExprKind::NamedParameter) {
                    if (m_usedPositional)
                        return fail(invalidQuery(u"Query cannot use both named and positional parameters"_s, e->pos));
                    m_usedNamed = true;
                    const auto it = m_named.constFind(e->name.toLower());
                    if (it == m_named.constEnd())
                        return fail(invalidQuery(u"Query parameter '%1' not found"_s.arg(e->name), e->pos));
                    parameter = &*it;
                    label = u"'%1'"_s.arg(e->name);
                } else {
                    if (m_usedNamed)
                        return fail(invalidQuery(u"Query cannot use both named and positional parameters"_s, e->pos));
                    m_usedPositional = true;
                    if (e->parameterIndex >= m_positional.size())
                        return fail(invalidQuery(u"Positional query parameter %1 not found (the query has %2, %3 provided)"_s
                                                     .arg(e->parameterIndex + 1)
                                                     .arg(m_statement.positionalParameterCount)
                                                     .arg(m_positional.size()),
                                                 e->pos));
                    parameter = &m_positional[e->parameterIndex];
                    label = u"%1"_s.arg(e->parameterIndex + 1);
                }
                if (parameter->isArray)
                    return fail(unsupported(u"ARRAY query parameter %1"_s.arg(label), e->pos));
                if (parameter->type == FieldType::Record)
                    return fail(unsupported(u"STRUCT query parameter %1"_s.arg(label), e->pos));
                Expr::Resolved &r = e->resolved;
                r.type = scalar(parameter->type);
                if (!parameter->value) {
                    r.constantIsNull = true;
                    if (parameter->type == FieldType::String)
                        r.coercibleString = QString();
                    return true;
                }
                const QString text = *parameter->value;
                const QString invalid = u"Invalid value for query parameter %1 of type %2: %3"_s.arg(label, BigQuery::standardTypeName(parameter->type), text.left(200));
                switch (parameter->type) {
                case FieldType::Int64: {
                    bool ok = false;
                    const qlonglong value = text.trimmed().toLongLong(&ok);
                    if (!ok)
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = SqlValue {qint64(value)};
                    break;
                }
                case FieldType::Float64: {
                    const std::optional<double> value = parseFloatText(text);
                    if (!value)
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = SqlValue {*value};
                    break;
                }
                case FieldType::Numeric:
                case FieldType::BigNumeric: {
                    const std::optional<SqlValue> value = parseNumericText(text, parameter->type == FieldType::BigNumeric);
                    if (!value)
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = value;
                    break;
                }
                case FieldType::Bool: {
                    const QString lower = text.trimmed().toLower();
                    if (lower != u"true"_s && lower != u"false"_s)
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = SqlValue {qint64(lower == u"true"_s ? 1 : 0)};
                    break;
                }
                case FieldType::String:
                    r.constant = SqlValue {text};
                    r.coercibleString = text;
                    break;
                case FieldType::Geography:
                    r.constant = SqlValue {text};
                    break;
                case FieldType::Bytes: {
                    const QByteArray::FromBase64Result decoded = QByteArray::fromBase64Encoding(text.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
                    if (!decoded)
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = SqlValue {decoded.decoded};
                    break;
                }
                case FieldType::Timestamp: {
                    const std::optional<qint64> micros = Time::parseTimestamp(text);
                    if (!micros)
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = SqlValue {*micros};
                    break;
                }
                case FieldType::Date:
                case FieldType::Datetime:
                case FieldType::Time: {
                    const std::optional<QString> value = parameter->type == FieldType::Date ? Time::normalizeDate(text)
                        : parameter->type == FieldType::Time                                ? Time::normalizeTime(text)
                                                                                            : Time::normalizeDatetime(text);
                    if (!value)
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = SqlValue {*value};
                    break;
                }
                case FieldType::Json:
                    if (!isValidJson(text))
                        return fail(invalidQuery(invalid, e->pos));
                    r.constant = SqlValue {text};
                    break;
                case FieldType::Record:
                    break;
                }
                return true;
            }

            bool resolvePath(Expr *e, const Scope &scope)
            {
                const QStringList &path = e->path;
                if (scope.aliasesVisible && path.size() == 1) {
                    const int alias = findAlias(path.first());
                    if (alias == -2)
                        return fail(invalidQuery(u"Column name %1 is ambiguous"_s.arg(path.first()), e->pos));
                    if (alias >= 0) {
                        const Expr *target = m_columns[size_t(alias)].expr;
                        if (scope.insideAggregate && target->resolved.containsAggregate)
                            return fail(invalidQuery(u"Aggregations of aggregations are not allowed"_s, e->pos));
                        e->kind = ExprKind::AliasRef;
                        e->resolved.alias = target;
                        e->resolved.aliasColumn = alias;
                        e->resolved.type = target->resolved.type;
                        return true;
                    }
                }
                if (!m_table)
                    return fail(invalidQuery(u"Unrecognized name: %1"_s.arg(path.first()), e->pos));
                int next = 0;
                int column = m_table->schema.indexOf(path.first());
                if (path.size() >= 2 && path.first().compare(m_rangeName, Qt::CaseInsensitive) == 0) {
                    column = m_table->schema.indexOf(path[1]);
                    if (column < 0)
                        return fail(invalidQuery(u"Name %1 not found inside %2"_s.arg(path[1], path.first()), e->pathPos[1]));
                    next = 2;
                } else if (column < 0) {
                    if (path.first().compare(m_rangeName, Qt::CaseInsensitive) == 0)
                        return fail(unsupported(u"table alias %1 used as a value (STRUCT)"_s.arg(path.first()), e->pos));
                    return fail(invalidQuery(u"Unrecognized name: %1"_s.arg(path.first()), e->pos));
                } else {
                    next = 1;
                }
                const TableField &field = m_table->schema.fields[column];
                if (next < path.size()) {
                    if (field.type == FieldType::Record && !field.isRepeated())
                        return fail(unsupported(u"RECORD sub-field access (%1)"_s.arg(path.join(u'.')), e->pathPos[next]));
                    return fail(invalidQuery(u"Cannot access field %1 on a value with type %2"_s.arg(path[next], typeOfField(field).name()), e->pathPos[next]));
                }
                e->resolved.column = column;
                e->resolved.type = typeOfField(field);
                return true;
            }

            bool resolveUnary(Expr *e, const Scope &scope)
            {
                if (!resolveChildren(e, scope))
                    return false;
                Expr *operand = e->args[0].get();
                if (operand->resolved.untypedNull) {
                    e->resolved.type = scalar(FieldType::Int64);
                    return true;
                }
                if (!operand->resolved.type.isScalar() || !isNumeric(operand->resolved.type.type))
                    return noSignature(u"operator %1"_s.arg(e->unaryOp == UnaryOp::Minus ? u"-"_s : u"+"_s), {operand}, e->pos);
                e->resolved.type = operand->resolved.type;
                return true;
            }

            bool resolveBinary(Expr *e, const Scope &scope)
            {
                if (!resolveChildren(e, scope))
                    return false;
                Expr *left = e->args[0].get();
                Expr *right = e->args[1].get();
                const QString what = u"operator "_s + binaryOpText(e->binaryOp);
                if (isComparison(e->binaryOp)) {
                    const std::optional<SqlType> common = unify({left, right}, what, e->pos);
                    if (!common)
                        return false;
                    const bool equality = e->binaryOp == BinaryOp::Equal || e->binaryOp == BinaryOp::NotEqual;
                    if (!isEquatable(*common))
                        return fail(invalidQuery(u"%1 is not defined for arguments of type %2"_s.arg(equality ? u"Equality"_s : u"Ordering"_s, common->name()), e->pos));
                    e->resolved.type = scalar(FieldType::Bool);
                    return true;
                }
                if (e->binaryOp == BinaryOp::Concat) {
                    for (Expr *arg : {left, right}) {
                        if (arg->resolved.type.is(FieldType::Bytes))
                            return fail(unsupported(u"|| on BYTES"_s, e->pos));
                        if (!arg->resolved.type.is(FieldType::String) && !arg->resolved.untypedNull)
                            return noSignature(what, {left, right}, e->pos);
                    }
                    for (Expr *arg : {left, right}) {
                        arg->resolved.coercibleString.reset();
                        if (arg->resolved.untypedNull)
                            arg->resolved.type = scalar(FieldType::String);
                    }
                    e->resolved.type = scalar(FieldType::String);
                    return true;
                }
                // + - * /
                for (Expr *arg : {left, right}) {
                    if (!arg->resolved.untypedNull && (!arg->resolved.type.isScalar() || !isNumeric(arg->resolved.type.type)))
                        return noSignature(what, {left, right}, e->pos);
                }
                const SqlType leftType = left->resolved.untypedNull ? scalar(FieldType::Int64) : left->resolved.type;
                const SqlType rightType = right->resolved.untypedNull ? scalar(FieldType::Int64) : right->resolved.type;
                SqlType result = *superType(leftType, rightType);
                if (e->binaryOp == BinaryOp::Divide && result.type == FieldType::Int64)
                    result = scalar(FieldType::Float64);
                e->resolved.type = result;
                return true;
            }

            bool resolveAggregate(Expr *e, const Scope &scope)
            {
                const QString &name = e->name;
                if (!scope.aggregatesAllowed())
                    return fail(invalidQuery(u"Aggregate function %1 not allowed in %2"_s.arg(name, clauseName(scope.clause)), e->pos));
                if (scope.insideAggregate)
                    return fail(invalidQuery(u"Aggregations of aggregations are not allowed"_s, e->pos));
                e->resolved.aggregate = true;
                if (e->star) {
                    if (name != u"COUNT"_s || e->distinct)
                        return fail(invalidQuery(u"%1(*) is not allowed"_s.arg(name), e->pos));
                    e->resolved.type = scalar(FieldType::Int64);
                    return true;
                }
                if (e->args.size() != 1)
                    return fail(invalidQuery(u"Number of arguments does not match for aggregate function %1"_s.arg(name), e->pos));
                Scope inner = scope;
                inner.insideAggregate = true;
                inner.aliasesVisible = false;
                if (!resolveChildren(e, inner))
                    return false;
                Expr *arg = e->args[0].get();
                const SqlType &type = arg->resolved.type;
                if (e->distinct && !arg->resolved.untypedNull && !isEquatable(type))
                    return fail(invalidQuery(u"Aggregate functions with DISTINCT cannot be used with arguments of type %1"_s.arg(type.name()), arg->pos));
                if (name == u"COUNT"_s) {
                    e->resolved.type = scalar(FieldType::Int64);
                } else if (name == u"SUM"_s || name == u"AVG"_s) {
                    if (arg->resolved.untypedNull) {
                        e->resolved.type = scalar(name == u"SUM"_s ? FieldType::Int64 : FieldType::Float64);
                        return true;
                    }
                    if (!type.isScalar() || !isNumeric(type.type))
                        return noSignature(u"aggregate function "_s + name, {arg}, e->pos);
                    e->resolved.type = (name == u"AVG"_s && type.type == FieldType::Int64) ? scalar(FieldType::Float64) : type;
                } else {
                    // MIN, MAX
                    if (!arg->resolved.untypedNull && !isOrderable(type))
                        return noSignature(u"aggregate function "_s + name, {arg}, e->pos);
                    e->resolved.type = type;
                }
                return true;
            }

            bool expectArgs(const Expr *e, size_t minimum, size_t maximum)
            {
                if (e->star || e->distinct)
                    return fail(invalidQuery(u"%1 is not an aggregate function"_s.arg(e->name), e->pos));
                if (e->args.size() < minimum || e->args.size() > maximum)
                    return fail(invalidQuery(u"Number of arguments does not match for function %1"_s.arg(e->name), e->pos));
                return true;
            }

            bool requireType(Expr *arg, FieldType type, const Expr *function)
            {
                if (arg->resolved.untypedNull) {
                    arg->resolved.type = scalar(type);
                    return true;
                }
                if (arg->resolved.coercibleString && isTemporal(type))
                    return coerceString(arg, type);
                if (arg->resolved.type.is(type))
                    return true;
                if (type == FieldType::Float64 || type == FieldType::Numeric) {
                    if (arg->resolved.type.isScalar() && isNumeric(arg->resolved.type.type) && numericRank(arg->resolved.type.type) <= numericRank(type))
                        return true;
                }
                return noSignature(u"function "_s + function->name, {arg}, function->pos);
            }

            // TIMESTAMP_TRUNC's date part, written as a bare name (DAY) or WEEK(<weekday>).
            bool resolveDatePart(Expr *e, const Expr *part)
            {
                QString name;
                QString weekday;
                if (part->kind == ExprKind::Path && part->path.size() == 1) {
                    name = part->path.first().toUpper();
                } else if (part->kind == ExprKind::Function && part->name == u"WEEK"_s && part->args.size() == 1 && part->args[0]->kind == ExprKind::Path
                           && part->args[0]->path.size() == 1) {
                    name = u"WEEK"_s;
                    weekday = part->args[0]->path.first().toUpper();
                } else {
                    return fail(invalidQuery(u"A valid date part name is required"_s, part->pos));
                }
                Expr::Resolved &r = e->resolved;
                static const QHash<QString, qint64> fixed {
                    {u"MILLISECOND"_s, MICROS_PER_MILLI}, {u"SECOND"_s, MICROS_PER_SECOND}, {u"MINUTE"_s, MICROS_PER_MINUTE},
                    {u"HOUR"_s, MICROS_PER_HOUR},         {u"DAY"_s, MICROS_PER_DAY},
                };
                static const QStringList weekdays {u"SUNDAY"_s, u"MONDAY"_s, u"TUESDAY"_s, u"WEDNESDAY"_s, u"THURSDAY"_s, u"FRIDAY"_s, u"SATURDAY"_s};
                if (name == u"MICROSECOND"_s) {
                    r.truncUnit = int(TruncUnit::Microsecond);
                } else if (fixed.contains(name)) {
                    r.truncUnit = int(TruncUnit::Fixed);
                    r.unitMicros = fixed.value(name);
                } else if (name == u"WEEK"_s || name == u"ISOWEEK"_s) {
                    const int day = name == u"ISOWEEK"_s ? 1 : weekday.isEmpty() ? 0 : int(weekdays.indexOf(weekday));
                    if (day < 0)
                        return fail(invalidQuery(u"A valid date part name is required but found WEEK(%1)"_s.arg(weekday), part->pos));
                    // 1970-01-01 was a Thursday (4): the smallest offset >= EPOCH_OFFSET_DAYS that is
                    // congruent to (4 - day) modulo 7 makes (days + offset) divisible by 7 on week starts.
                    const qint64 wanted = ((4 - day) % 7 + 7) % 7;
                    const qint64 offsetDays = EPOCH_OFFSET_DAYS + ((wanted - EPOCH_OFFSET_DAYS % 7) % 7 + 7) % 7;
                    r.truncUnit = int(TruncUnit::Week);
                    r.unitMicros = offsetDays * MICROS_PER_DAY;
                } else if (name == u"MONTH"_s) {
                    r.truncUnit = int(TruncUnit::Month);
                } else if (name == u"QUARTER"_s) {
                    r.truncUnit = int(TruncUnit::Quarter);
                } else if (name == u"YEAR"_s) {
                    r.truncUnit = int(TruncUnit::Year);
                } else if (name == u"ISOYEAR"_s || name == u"DAYOFWEEK"_s || name == u"DAYOFYEAR"_s || name == u"DATE"_s) {
                    return fail(unsupported(u"TIMESTAMP_TRUNC to %1"_s.arg(name), part->pos));
                } else {
                    return fail(invalidQuery(u"A valid date part name is required but found %1"_s.arg(name), part->pos));
                }
                return true;
            }

            bool resolveJsonFunction(Expr *e, const Scope &scope)
            {
                const bool isValue = e->name == u"JSON_VALUE"_s;
                if (!expectArgs(e, isValue ? 1 : 2, 2))
                    return false;
                Expr *json = e->args[0].get();
                if (!resolve(json, scope))
                    return false;
                if (json->resolved.untypedNull)
                    json->resolved.type = scalar(FieldType::Json);
                if (!json->resolved.type.is(FieldType::Json) && !json->resolved.type.is(FieldType::String))
                    return noSignature(u"function "_s + e->name, {json}, e->pos);
                json->resolved.coercibleString.reset();
                QString path = u"$"_s;
                if (e->args.size() == 2) {
                    Expr *pathExpr = e->args[1].get();
                    if (!resolve(pathExpr, scope))
                        return false;
                    const bool constant = pathExpr->kind == ExprKind::StringLiteral
                        || ((pathExpr->kind == ExprKind::NamedParameter || pathExpr->kind == ExprKind::PositionalParameter) && pathExpr->resolved.type.is(FieldType::String));
                    if (!constant)
                        return fail(invalidQuery(u"JSONPath must be a string literal or query parameter"_s, pathExpr->pos));
                    if (pathExpr->resolved.constantIsNull)
                        return fail(invalidQuery(u"JSONPath must not be NULL"_s, pathExpr->pos));
                    path = std::get<QString>(*pathExpr->resolved.constant);
                }
                const std::optional<QString> sqlitePath = toSqliteJsonPath(path);
                if (!sqlitePath)
                    return fail(invalidQuery(u"Invalid or unsupported JSONPath: %1"_s.arg(path.left(200)), e->args.size() == 2 ? e->args[1]->pos : e->pos));
                e->resolved.jsonPath = *sqlitePath;
                e->resolved.type = isValue ? scalar(FieldType::String) : json->resolved.type;
                return true;
            }

            bool resolveFunction(Expr *e, const Scope &scope)
            {
                const QString &name = e->name;
                Expr::Resolved &r = e->resolved;
                if (name == u"COUNT"_s || name == u"SUM"_s || name == u"AVG"_s || name == u"MIN"_s || name == u"MAX"_s)
                    return resolveAggregate(e, scope);
                if (name == u"JSON_VALUE"_s || name == u"JSON_QUERY"_s)
                    return resolveJsonFunction(e, scope);
                if (name == u"CURRENT_TIMESTAMP"_s || name == u"CURRENT_DATE"_s) {
                    if (!e->args.empty())
                        return fail(unsupported(u"%1 with a time zone"_s.arg(name), e->pos));
                    if (!expectArgs(e, 0, 0))
                        return false;
                    if (name == u"CURRENT_TIMESTAMP"_s) {
                        r.type = scalar(FieldType::Timestamp);
                        r.constant = SqlValue {m_options.nowMicros};
                    } else {
                        r.type = scalar(FieldType::Date);
                        r.constant = SqlValue {Time::formatRfc3339Fixed(m_options.nowMicros, 0).left(10)};
                    }
                    return true;
                }
                if (name == u"TIMESTAMP_ADD"_s || name == u"TIMESTAMP_SUB"_s) {
                    if (!expectArgs(e, 2, 2))
                        return false;
                    Expr *interval = e->args[1].get();
                    if (interval->kind != ExprKind::Interval)
                        return fail(invalidQuery(u"%1 expects an INTERVAL as its second argument"_s.arg(name), interval->pos));
                    if (!resolve(e->args[0].get(), scope) || !requireType(e->args[0].get(), FieldType::Timestamp, e))
                        return false;
                    Expr *count = interval->args[0].get();
                    if (!resolve(count, scope))
                        return false;
                    if (!count->resolved.untypedNull && !count->resolved.type.is(FieldType::Int64))
                        return noSignature(u"INTERVAL"_s, {count}, count->pos);
                    static const QHash<QString, qint64> units {
                        {u"MICROSECOND"_s, 1},          {u"MILLISECOND"_s, MICROS_PER_MILLI}, {u"SECOND"_s, MICROS_PER_SECOND},
                        {u"MINUTE"_s, MICROS_PER_MINUTE}, {u"HOUR"_s, MICROS_PER_HOUR},        {u"DAY"_s, MICROS_PER_DAY},
                    };
                    if (!units.contains(interval->name))
                        return fail(invalidQuery(u"%1 does not support the %2 date part when the argument is TIMESTAMP type"_s.arg(name, interval->name), interval->pos));
                    interval->resolved.done = true;
                    interval->resolved.type = scalar(FieldType::Int64);
                    interval->resolved.containsAggregate = count->resolved.containsAggregate;
                    r.unitMicros = units.value(interval->name);
                    r.type = scalar(FieldType::Timestamp);
                    return true;
                }
                if (name == u"TIMESTAMP_TRUNC"_s) {
                    if (e->args.size() == 3)
                        return fail(unsupported(u"TIMESTAMP_TRUNC with a time zone"_s, e->args[2]->pos));
                    if (!expectArgs(e, 2, 2))
                        return false;
                    if (!resolve(e->args[0].get(), scope) || !requireType(e->args[0].get(), FieldType::Timestamp, e))
                        return false;
                    if (!resolveDatePart(e, e->args[1].get()))
                        return false;
                    e->args[1]->resolved.done = true;
                    r.type = scalar(FieldType::Timestamp);
                    return true;
                }
                if (name == u"DATE"_s) {
                    if (e->args.size() >= 2)
                        return fail(unsupported(e->args.size() == 2 ? u"DATE with a time zone"_s : u"DATE(year, month, day)"_s, e->pos));
                    if (!expectArgs(e, 1, 1) || !resolveChildren(e, scope))
                        return false;
                    Expr *arg = e->args[0].get();
                    if (arg->resolved.untypedNull)
                        arg->resolved.type = scalar(FieldType::Timestamp);
                    if (!arg->resolved.type.is(FieldType::Timestamp) && !arg->resolved.type.is(FieldType::Datetime) && !arg->resolved.type.is(FieldType::Date))
                        return noSignature(u"function DATE"_s, {arg}, e->pos);
                    arg->resolved.coercibleString.reset();
                    r.type = scalar(FieldType::Date);
                    return true;
                }
                if (name == u"UNIX_MICROS"_s || name == u"UNIX_MILLIS"_s || name == u"UNIX_SECONDS"_s) {
                    if (!expectArgs(e, 1, 1) || !resolveChildren(e, scope) || !requireType(e->args[0].get(), FieldType::Timestamp, e))
                        return false;
                    r.type = scalar(FieldType::Int64);
                    return true;
                }
                if (name == u"TIMESTAMP_MICROS"_s || name == u"TIMESTAMP_MILLIS"_s || name == u"TIMESTAMP_SECONDS"_s) {
                    if (!expectArgs(e, 1, 1) || !resolveChildren(e, scope) || !requireType(e->args[0].get(), FieldType::Int64, e))
                        return false;
                    r.type = scalar(FieldType::Timestamp);
                    return true;
                }
                if (name == u"COALESCE"_s || name == u"IFNULL"_s) {
                    if (!expectArgs(e, name == u"IFNULL"_s ? 2 : 1, name == u"IFNULL"_s ? 2 : MAX_FUNCTION_ARGUMENTS) || !resolveChildren(e, scope))
                        return false;
                    const std::optional<SqlType> common = unify(children(e), u"function "_s + name, e->pos);
                    if (!common)
                        return false;
                    if (!common->isScalar())
                        return fail(unsupported(u"%1 over %2"_s.arg(name, common->name()), e->pos));
                    for (const ExprPtr &arg : e->args)
                        arg->resolved.coercibleString.reset();
                    r.type = *common;
                    return true;
                }
                if (name == u"CONCAT"_s) {
                    if (!expectArgs(e, 1, MAX_FUNCTION_ARGUMENTS) || !resolveChildren(e, scope))
                        return false;
                    for (const ExprPtr &arg : e->args) {
                        if (arg->resolved.type.is(FieldType::Bytes))
                            return fail(unsupported(u"CONCAT on BYTES"_s, e->pos));
                        if (!arg->resolved.type.is(FieldType::String) && !arg->resolved.untypedNull)
                            return noSignature(u"function CONCAT"_s, {arg.get()}, e->pos);
                        arg->resolved.coercibleString.reset();
                        if (arg->resolved.untypedNull)
                            arg->resolved.type = scalar(FieldType::String);
                    }
                    r.type = scalar(FieldType::String);
                    return true;
                }
                if (name == u"LENGTH"_s) {
                    if (!expectArgs(e, 1, 1) || !resolveChildren(e, scope))
                        return false;
                    Expr *arg = e->args[0].get();
                    if (arg->resolved.untypedNull)
                        arg->resolved.type = scalar(FieldType::String);
                    if (!arg->resolved.type.is(FieldType::String) && !arg->resolved.type.is(FieldType::Bytes))
                        return noSignature(u"function LENGTH"_s, {arg}, e->pos);
                    arg->resolved.coercibleString.reset();
                    r.type = scalar(FieldType::Int64);
                    return true;
                }
                if (name == u"ABS"_s) {
                    if (!expectArgs(e, 1, 1) || !resolveChildren(e, scope))
                        return false;
                    Expr *arg = e->args[0].get();
                    if (arg->resolved.untypedNull)
                        arg->resolved.type = scalar(FieldType::Int64);
                    if (!arg->resolved.type.isScalar() || !isNumeric(arg->resolved.type.type))
                        return noSignature(u"function ABS"_s, {arg}, e->pos);
                    r.type = arg->resolved.type;
                    return true;
                }
                return fail(unsupported(u"function %1"_s.arg(name), e->pos));
            }

            // How BigQuery allows a cast and how it is emitted.
            enum class CastKind
            {
                Invalid,        // BigQuery refuses it
                Unsupported,    // valid in BigQuery, not exact here
                Identity,
                ToReal,
                ToInteger,      // FLOAT64/NUMERIC: round half away from zero
                ToText,
                ToNumeric,
                IntToBool,
                BoolToText,
                TextToBool,
                TextToBlob,
                Constant,       // a STRING literal/parameter to a date/time type, converted here
                DateToTimestamp,
                DateToDatetime,
                TimestampToDate,
                DatetimeToDate,
            };

            CastKind castKind(const Expr *arg, FieldType from, FieldType to) const
            {
                if (from == to)
                    return CastKind::Identity;
                switch (from) {
                case FieldType::Int64:
                    switch (to) {
                    case FieldType::Float64: return CastKind::ToReal;
                    case FieldType::Numeric:
                    case FieldType::BigNumeric: return CastKind::Identity;
                    case FieldType::String: return CastKind::ToText;
                    case FieldType::Bool: return CastKind::IntToBool;
                    default: return CastKind::Invalid;
                    }
                case FieldType::Float64:
                case FieldType::Numeric:
                case FieldType::BigNumeric:
                    switch (to) {
                    case FieldType::Int64: return CastKind::ToInteger;
                    case FieldType::Float64: return CastKind::ToReal;
                    case FieldType::Numeric:
                    case FieldType::BigNumeric: return CastKind::Identity;
                    case FieldType::String: return CastKind::Unsupported;   // BigQuery's number formatting
                    default: return CastKind::Invalid;
                    }
                case FieldType::Bool:
                    switch (to) {
                    case FieldType::Int64: return CastKind::Identity;
                    case FieldType::String: return CastKind::BoolToText;
                    default: return CastKind::Invalid;
                    }
                case FieldType::String:
                    switch (to) {
                    case FieldType::Int64: return CastKind::ToInteger;
                    case FieldType::Float64: return CastKind::ToReal;
                    case FieldType::Numeric:
                    case FieldType::BigNumeric: return CastKind::ToNumeric;
                    case FieldType::Bool: return CastKind::TextToBool;
                    case FieldType::Bytes: return CastKind::TextToBlob;
                    case FieldType::Date:
                    case FieldType::Datetime:
                    case FieldType::Time:
                    case FieldType::Timestamp: return arg->resolved.coercibleString ? CastKind::Constant : CastKind::Unsupported;
                    case FieldType::Geography: return CastKind::Unsupported;
                    default: return CastKind::Invalid;
                    }
                case FieldType::Bytes:
                    return to == FieldType::String ? CastKind::ToText : CastKind::Invalid;
                case FieldType::Date:
                    switch (to) {
                    case FieldType::String: return CastKind::Identity;
                    case FieldType::Timestamp: return CastKind::DateToTimestamp;
                    case FieldType::Datetime: return CastKind::DateToDatetime;
                    default: return CastKind::Invalid;
                    }
                case FieldType::Timestamp:
                    switch (to) {
                    case FieldType::Date: return CastKind::TimestampToDate;
                    case FieldType::String:
                    case FieldType::Datetime:
                    case FieldType::Time: return CastKind::Unsupported;
                    default: return CastKind::Invalid;
                    }
                case FieldType::Datetime:
                    switch (to) {
                    case FieldType::Date: return CastKind::DatetimeToDate;
                    case FieldType::String:
                    case FieldType::Time:
                    case FieldType::Timestamp: return CastKind::Unsupported;
                    default: return CastKind::Invalid;
                    }
                case FieldType::Time:
                    return to == FieldType::String ? CastKind::Unsupported : CastKind::Invalid;
                default:
                    return CastKind::Invalid;
                }
            }

            bool resolveCast(Expr *e, const Scope &scope)
            {
                if (!resolveChildren(e, scope))
                    return false;
                const std::optional<FieldType> target = castTypeFromName(e->name);
                if (!target)
                    return fail(invalidQuery(u"Type not found: %1"_s.arg(e->name), e->pos));
                Expr *arg = e->args[0].get();
                e->resolved.type = scalar(*target);
                if (arg->resolved.untypedNull) {
                    arg->resolved.type = scalar(*target);
                    e->resolved.castKind = int(CastKind::Identity);
                    return true;
                }
                const SqlType &from = arg->resolved.type;
                if (!from.isScalar())
                    return fail(invalidQuery(u"Invalid cast from %1 to %2"_s.arg(from.name(), BigQuery::standardTypeName(*target)), e->pos));
                const CastKind kind = castKind(arg, from.type, *target);
                if (kind == CastKind::Invalid)
                    return fail(invalidQuery(u"Invalid cast from %1 to %2"_s.arg(from.name(), BigQuery::standardTypeName(*target)), e->pos));
                if (kind == CastKind::Unsupported)
                    return fail(unsupported(u"CAST from %1 to %2%3"_s.arg(from.name(), BigQuery::standardTypeName(*target),
                                                                        from.type == FieldType::String ? u" of a non-constant value"_s : QString()),
                                            e->pos));
                if (kind == CastKind::Constant) {
                    if (!coerceString(arg, *target))
                        return false;
                } else {
                    arg->resolved.coercibleString.reset();
                }
                e->resolved.castKind = int(kind);
                return true;
            }

            // ---- emission ------------------------------------------------------------------------

            QString bind(const SqlValue &value)
            {
                m_result.bindings.append(value);
                if (m_result.bindings.size() > MAX_BINDINGS)
                    fail(unsupported(u"more than %1 literals and parameters"_s.arg(MAX_BINDINGS), m_statement.pos));
                return u"?%1"_s.arg(m_result.bindings.size());
            }

            static Fragment atom(const QString &sql)
            {
                return Fragment {sql, PREC_ATOM, 1, 1};
            }

            static Fragment parenthesized(const Fragment &f)
            {
                return Fragment {u'(' + f.sql + u')', PREC_ATOM, f.stack + 2, f.tree, f.number};
            }

            // The fragment as an operand of an operator that binds at minPrecedence.
            static Fragment operand(const Fragment &f, int minPrecedence)
            {
                return f.precedence >= minPrecedence ? f : parenthesized(f);
            }

            // left op right; a left operand of the same precedence needs no parentheses for the left-associative
            // arithmetic chains (a + b + c), which keeps SQLite's parser stack flat.
            static Fragment binary(const Fragment &left, const QString &op, const Fragment &right, int precedence, bool chainLeft)
            {
                const Fragment l = operand(left, chainLeft ? precedence : precedence + 1);
                const Fragment r = operand(right, precedence + 1);
                return Fragment {l.sql + u' ' + op + u' ' + r.sql, precedence, std::max(l.stack, r.stack + 3), std::max(l.tree, r.tree) + 1};
            }

            // A function-like construct: name(args...), CAST(...), CASE ... END.
            static Fragment call(const QString &sql, std::initializer_list<const Fragment *> parts, int stackWeight, int treeWeight)
            {
                Fragment f {sql, PREC_ATOM, 1, 1};
                for (const Fragment *part : parts) {
                    f.stack = std::max(f.stack, part->stack + stackWeight);
                    f.tree = std::max(f.tree, part->tree + treeWeight);
                }
                return f;
            }

            static Fragment callList(const QString &name, const std::vector<Fragment> &args)
            {
                QStringList sql;
                Fragment f {QString(), PREC_ATOM, 1, 1};
                for (const Fragment &arg : args) {
                    sql.append(arg.sql);
                    f.stack = std::max(f.stack, arg.stack + 6);
                    f.tree = std::max(f.tree, arg.tree + 1);
                }
                f.sql = name + u'(' + sql.join(u", "_s) + u')';
                return f;
            }

            // NUMERIC/BIGNUMERIC values are the exact decimal as text (columns, literals, parameters) or REAL
            // (computed); wherever SQLite compares or computes, they go through REAL. Grouping, DISTINCT and
            // output keep the text, so they stay exact.
            static Fragment number(const Expr *e, const Fragment &f)
            {
                const SqlType &type = e->resolved.type;
                if (f.number || (!type.is(FieldType::Numeric) && !type.is(FieldType::BigNumeric)))
                    return f;
                Fragment real = call(u"CAST(%1 AS REAL)"_s.arg(f.sql), {&f}, 3, 1);
                real.number = true;
                return real;
            }

            Fragment emitNumber(const Expr *e)
            {
                return number(e, emitExpr(e));
            }

            bool sizeExceeded(const Fragment &f)
            {
                if (f.sql.size() <= MAX_SQL_CHARS)
                    return false;
                fail(unsupported(u"query too complex once translated (more than %1 characters of SQL)"_s.arg(MAX_SQL_CHARS), m_statement.pos));
                return true;
            }

            Fragment emitExpr(const Expr *e)
            {
                if (m_error)
                    return Fragment {};
                Fragment f = emitNode(e);
                if (sizeExceeded(f))
                    return Fragment {};
                // checked per node so that a nest of duplicating functions stops before it grows large
                if (f.stack > MAX_SQLITE_STACK || f.tree > MAX_SQLITE_TREE) {
                    fail(unsupported(u"expression too deeply nested for the local cloud's SQLite engine"_s, e->pos));
                    return Fragment {};
                }
                return f;
            }

            Fragment emitConstant(const Expr *e)
            {
                const Expr::Resolved &r = e->resolved;
                if (r.constantIsNull || !r.constant)
                    return atom(u"NULL"_s);
                const QString placeholder = bind(*r.constant);
                if (r.type.is(FieldType::Json))
                    return atom(u"json(%1)"_s.arg(placeholder));
                return atom(placeholder);
            }

            Fragment emitChain(const std::vector<Fragment> &parts, size_t begin, size_t end, const QString &op, int precedence)
            {
                if (end - begin == 1)
                    return parts[begin];
                if (end - begin <= size_t(MAX_FLAT_CHAIN)) {
                    Fragment f = operand(parts[begin], precedence + 1);
                    for (size_t i = begin + 1; i < end; ++i) {
                        const Fragment next = operand(parts[i], precedence + 1);
                        f = Fragment {f.sql + u' ' + op + u' ' + next.sql, precedence, std::max(f.stack, next.stack + 3), std::max(f.tree, next.tree) + 1};
                    }
                    f.precedence = precedence;
                    return f;
                }
                const size_t middle = begin + (end - begin) / 2;
                const Fragment left = parenthesized(emitChain(parts, begin, middle, op, precedence));
                const Fragment right = parenthesized(emitChain(parts, middle, end, op, precedence));
                return binary(left, op, right, precedence, true);
            }

            Fragment emitNode(const Expr *e)
            {
                const Expr::Resolved &r = e->resolved;
                switch (e->kind) {
                case ExprKind::NullLiteral:
                case ExprKind::BoolLiteral:
                case ExprKind::IntLiteral:
                case ExprKind::FloatLiteral:
                case ExprKind::StringLiteral:
                case ExprKind::BytesLiteral:
                case ExprKind::TypedLiteral:
                case ExprKind::NamedParameter:
                case ExprKind::PositionalParameter:
                    return emitConstant(e);
                case ExprKind::Path:
                    return atom(quoteIdentifier(m_table->schema.fields[r.column].name));
                case ExprKind::AliasRef:
                    return emitExpr(r.alias);
                case ExprKind::Unary: {
                    const Fragment operandSql = emitNumber(e->args[0].get());
                    if (e->unaryOp == UnaryOp::Plus)
                        return operandSql;
                    const Fragment o = operand(operandSql, PREC_UNARY);
                    return Fragment {u"- "_s + o.sql, PREC_UNARY, o.stack + 2, o.tree + 1, true};
                }
                case ExprKind::Binary:
                    return emitBinary(e);
                case ExprKind::And:
                case ExprKind::Or: {
                    std::vector<Fragment> parts;
                    for (const ExprPtr &arg : e->args)
                        parts.push_back(emitExpr(arg.get()));
                    const bool isAnd = e->kind == ExprKind::And;
                    return emitChain(parts, 0, parts.size(), isAnd ? u"AND"_s : u"OR"_s, isAnd ? PREC_AND : PREC_OR);
                }
                case ExprKind::Not: {
                    const Fragment o = operand(emitExpr(e->args[0].get()), PREC_NOT);
                    return Fragment {u"NOT "_s + o.sql, PREC_NOT, o.stack + 2, o.tree + 1};
                }
                case ExprKind::In: {
                    const Fragment value = operand(emitNumber(e->args[0].get()), PREC_EQUALITY + 1);
                    QStringList items;
                    Fragment f {QString(), PREC_EQUALITY, value.stack, value.tree + 1};
                    for (size_t i = 1; i < e->args.size(); ++i) {
                        const Fragment item = emitNumber(e->args[i].get());
                        items.append(item.sql);
                        f.stack = std::max(f.stack, item.stack + 6);
                        f.tree = std::max(f.tree, item.tree + 1);
                        if (m_error)
                            return Fragment {};
                    }
                    f.sql = value.sql + (e->negated ? u" NOT IN ("_s : u" IN ("_s) + items.join(u", "_s) + u')';
                    return f;
                }
                case ExprKind::Between: {
                    const Fragment value = operand(emitNumber(e->args[0].get()), PREC_EQUALITY + 1);
                    const Fragment low = operand(emitNumber(e->args[1].get()), PREC_EQUALITY + 1);
                    const Fragment high = operand(emitNumber(e->args[2].get()), PREC_EQUALITY + 1);
                    return Fragment {value.sql + (e->negated ? u" NOT BETWEEN "_s : u" BETWEEN "_s) + low.sql + u" AND "_s + high.sql, PREC_EQUALITY,
                                     std::max({value.stack, low.stack + 4, high.stack + 6}), std::max({value.tree, low.tree, high.tree}) + 1};
                }
                case ExprKind::Like: {
                    // BigQuery's LIKE escapes with a backslash; SQLite needs to be told (and case_sensitive_like=ON)
                    const Fragment value = operand(emitExpr(e->args[0].get()), PREC_EQUALITY + 1);
                    const Fragment pattern = operand(emitExpr(e->args[1].get()), PREC_ESCAPE + 1);
                    return Fragment {value.sql + (e->negated ? u" NOT LIKE "_s : u" LIKE "_s) + pattern.sql + u" ESCAPE '\\'"_s, PREC_EQUALITY,
                                     std::max(value.stack, pattern.stack + 5), std::max(value.tree, pattern.tree) + 2};
                }
                case ExprKind::IsNull: {
                    const Fragment value = operand(emitExpr(e->args[0].get()), PREC_EQUALITY + 1);
                    return Fragment {value.sql + (e->negated ? u" IS NOT NULL"_s : u" IS NULL"_s), PREC_EQUALITY, value.stack + 2, value.tree + 1};
                }
                case ExprKind::IsBool: {
                    // BOOL is stored as 0/1; "IS 1" is false for NULL, as BigQuery's IS TRUE
                    const Fragment value = operand(emitExpr(e->args[0].get()), PREC_EQUALITY + 1);
                    return Fragment {value.sql + (e->negated ? u" IS NOT "_s : u" IS "_s) + (e->boolValue ? u"1"_s : u"0"_s), PREC_EQUALITY, value.stack + 3,
                                     value.tree + 1};
                }
                case ExprKind::IsDistinct: {
                    const Fragment left = emitNumber(e->args[0].get());
                    const Fragment right = emitNumber(e->args[1].get());
                    return binary(left, e->negated ? u"IS"_s : u"IS NOT"_s, right, PREC_EQUALITY, false);
                }
                case ExprKind::Function:
                    return emitFunction(e);
                case ExprKind::Cast:
                    return emitCast(e);
                case ExprKind::Interval:
                    break;
                }
                fail(invalidQuery(u"Internal error: cannot emit expression"_s, e->pos));
                return Fragment {};
            }

            Fragment emitBinary(const Expr *e)
            {
                Fragment f = emitArithmeticOrComparison(e);
                f.number = !isComparison(e->binaryOp) && e->binaryOp != BinaryOp::Concat;
                return f;
            }

            Fragment emitArithmeticOrComparison(const Expr *e)
            {
                const Fragment left = emitNumber(e->args[0].get());
                const Fragment right = emitNumber(e->args[1].get());
                switch (e->binaryOp) {
                case BinaryOp::Equal: return binary(left, u"="_s, right, PREC_EQUALITY, false);
                case BinaryOp::NotEqual: return binary(left, u"<>"_s, right, PREC_EQUALITY, false);
                case BinaryOp::Less: return binary(left, u"<"_s, right, PREC_RELATIONAL, false);
                case BinaryOp::LessEqual: return binary(left, u"<="_s, right, PREC_RELATIONAL, false);
                case BinaryOp::Greater: return binary(left, u">"_s, right, PREC_RELATIONAL, false);
                case BinaryOp::GreaterEqual: return binary(left, u">="_s, right, PREC_RELATIONAL, false);
                case BinaryOp::Add: return binary(left, u"+"_s, right, PREC_ADD, true);
                case BinaryOp::Subtract: return binary(left, u"-"_s, right, PREC_ADD, true);
                case BinaryOp::Multiply: return binary(left, u"*"_s, right, PREC_MULTIPLY, true);
                case BinaryOp::Concat: return binary(left, u"||"_s, right, PREC_CONCAT, true);
                case BinaryOp::Divide: {
                    // BigQuery's '/' is always a floating-point (or NUMERIC) division
                    const Fragment real = call(u"CAST("_s + left.sql + u" AS REAL)"_s, {&left}, 3, 1);
                    return binary(real, u"/"_s, right, PREC_MULTIPLY, true);
                }
                }
                return Fragment {};
            }

            // floor(ts / unit) * unit for a non-negative-after-offset timestamp, written with ts once.
            static Fragment floorTo(const Fragment &ts, qint64 unit, qint64 offset)
            {
                const Fragment t = operand(ts, PREC_ADD);
                const QString sql = u"(%1 + %2) / %3 * %3 - %2"_s.arg(t.sql).arg(offset).arg(unit);
                return Fragment {sql, PREC_ADD, t.stack + 3, t.tree + 4};
            }

            static Fragment daySeconds(const Fragment &ts)
            {
                const Fragment t = operand(ts, PREC_ADD);
                const QString sql = u"(%1 + %2) / %3 * 86400 - %4"_s.arg(t.sql).arg(EPOCH_OFFSET_MICROS).arg(MICROS_PER_DAY).arg(EPOCH_OFFSET_SECONDS);
                return Fragment {sql, PREC_ADD, t.stack + 3, t.tree + 4};
            }

            Fragment emitFunction(const Expr *e)
            {
                const QString &name = e->name;
                const Expr::Resolved &r = e->resolved;
                if (r.aggregate) {
                    static const QHash<QString, QString> sqliteNames {
                        {u"COUNT"_s, u"count"_s}, {u"SUM"_s, u"sum"_s}, {u"AVG"_s, u"avg"_s}, {u"MIN"_s, u"min"_s}, {u"MAX"_s, u"max"_s},
                    };
                    const QString function = sqliteNames.value(name);
                    if (e->star)
                        return atom(function + u"(*)"_s);
                    // COUNT(DISTINCT x) compares the stored values; the others compute on numbers
                    const Fragment arg = name == u"COUNT"_s ? emitExpr(e->args[0].get()) : emitNumber(e->args[0].get());
                    Fragment f = call(function + u'(' + (e->distinct ? u"DISTINCT "_s : QString()) + arg.sql + u')', {&arg}, 4, 1);
                    f.number = arg.number;
                    return f;
                }
                if (name == u"CURRENT_TIMESTAMP"_s || name == u"CURRENT_DATE"_s)
                    return emitConstant(e);
                if (name == u"JSON_VALUE"_s || name == u"JSON_QUERY"_s) {
                    const Expr *jsonExpr = e->args[0].get();
                    const Fragment json = emitExpr(jsonExpr);
                    const QString path = bind(SqlValue {r.jsonPath});
                    const Fragment j = operand(json, PREC_CONCAT + 1);
                    if (name == u"JSON_QUERY"_s) {
                        Fragment f = Fragment {j.sql + u" -> "_s + path, PREC_CONCAT, j.stack + 3, j.tree + 1};
                        if (jsonExpr->resolved.type.is(FieldType::String))
                            f = call(u"CASE WHEN json_valid(%1) THEN %2 END"_s.arg(json.sql, f.sql), {&json, &f}, 7, 2);
                        return f;
                    }
                    // BigQuery: strings unquoted, numbers and booleans as their JSON text, NULL for null,
                    // objects and arrays
                    QString sql = u"CASE json_type(%1, %2) WHEN 'text' THEN json_extract(%1, %2) WHEN 'object' THEN NULL WHEN 'array' THEN NULL "
                                  u"WHEN 'null' THEN NULL ELSE %3 -> %2 END"_s.arg(json.sql, path, j.sql);
                    if (jsonExpr->resolved.type.is(FieldType::String))
                        sql = u"CASE WHEN json_valid(%1) THEN %2 END"_s.arg(json.sql, sql);
                    return call(sql, {&json, &j}, 12, 3);
                }
                if (name == u"TIMESTAMP_ADD"_s || name == u"TIMESTAMP_SUB"_s) {
                    const Fragment ts = emitExpr(e->args[0].get());
                    const Expr *count = e->args[1]->args[0].get();
                    Fragment amount;
                    if (count->resolved.constantIsNull) {
                        amount = atom(u"NULL"_s);
                    } else if (count->resolved.constant) {
                        const qint64 n = std::get<qint64>(*count->resolved.constant);
                        qint64 micros = 0;
                        if (__builtin_mul_overflow(n, r.unitMicros, &micros)) {
                            fail(invalidQuery(u"%1 interval out of range"_s.arg(name), count->pos));
                            return Fragment {};
                        }
                        amount = atom(bind(SqlValue {micros}));
                    } else {
                        const Fragment c = operand(emitExpr(count), PREC_MULTIPLY);
                        amount = Fragment {c.sql + u" * "_s + QString::number(r.unitMicros), PREC_MULTIPLY, c.stack + 3, c.tree + 1};
                    }
                    return binary(ts, name == u"TIMESTAMP_ADD"_s ? u"+"_s : u"-"_s, amount, PREC_ADD, true);
                }
                if (name == u"TIMESTAMP_TRUNC"_s) {
                    const Fragment ts = emitExpr(e->args[0].get());
                    switch (TruncUnit(r.truncUnit)) {
                    case TruncUnit::Microsecond:
                        return ts;
                    case TruncUnit::Fixed:
                        return floorTo(ts, r.unitMicros, EPOCH_OFFSET_MICROS);
                    case TruncUnit::Week:
                        return floorTo(ts, 7 * MICROS_PER_DAY, r.unitMicros);
                    case TruncUnit::Month:
                    case TruncUnit::Year: {
                        const Fragment seconds = daySeconds(ts);
                        const QString start = TruncUnit(r.truncUnit) == TruncUnit::Month ? u"start of month"_s : u"start of year"_s;
                        return call(u"unixepoch(%1, 'unixepoch', '%2') * 1000000"_s.arg(seconds.sql, start), {&seconds}, 5, 2);
                    }
                    case TruncUnit::Quarter: {
                        const Fragment seconds = daySeconds(ts);
                        const QString sql = u"unixepoch(%1, 'unixepoch', 'start of month', '-' || ((CAST(strftime('%m', %1, 'unixepoch') AS INTEGER) - 1) % 3) || ' months') * 1000000"_s
                                                .arg(seconds.sql);
                        return call(sql, {&seconds}, 22, 6);
                    }
                    }
                    return ts;
                }
                if (name == u"DATE"_s) {
                    const Fragment arg = emitExpr(e->args[0].get());
                    const SqlType &from = e->args[0]->resolved.type;
                    if (from.is(FieldType::Date))
                        return arg;
                    if (from.is(FieldType::Datetime))
                        return call(u"substr(%1, 1, 10)"_s.arg(arg.sql), {&arg}, 4, 1);
                    const Fragment seconds = secondsFloor(arg);
                    return call(u"date(%1, 'unixepoch')"_s.arg(seconds.sql), {&seconds}, 4, 1);
                }
                if (name == u"UNIX_MICROS"_s || name == u"TIMESTAMP_MICROS"_s)
                    return emitExpr(e->args[0].get());
                if (name == u"UNIX_MILLIS"_s || name == u"UNIX_SECONDS"_s) {
                    const Fragment ts = operand(emitExpr(e->args[0].get()), PREC_ADD);
                    const qint64 unit = name == u"UNIX_MILLIS"_s ? MICROS_PER_MILLI : MICROS_PER_SECOND;
                    return Fragment {u"(%1 + %2) / %3 - %4"_s.arg(ts.sql).arg(EPOCH_OFFSET_MICROS).arg(unit).arg(EPOCH_OFFSET_MICROS / unit), PREC_ADD,
                                     ts.stack + 6, ts.tree + 3};
                }
                if (name == u"TIMESTAMP_MILLIS"_s || name == u"TIMESTAMP_SECONDS"_s) {
                    const Fragment n = operand(emitExpr(e->args[0].get()), PREC_MULTIPLY);
                    const qint64 unit = name == u"TIMESTAMP_MILLIS"_s ? MICROS_PER_MILLI : MICROS_PER_SECOND;
                    return Fragment {u"%1 * %2"_s.arg(n.sql).arg(unit), PREC_MULTIPLY, n.stack + 3, n.tree + 1};
                }
                if (name == u"COALESCE"_s || name == u"IFNULL"_s) {
                    // a NUMERIC result mixing decimal text with other numbers goes all REAL, so that equal values
                    // group together
                    bool mixed = false;
                    for (const ExprPtr &arg : e->args)
                        mixed = mixed || !(arg->resolved.type == r.type);
                    const bool decimal = r.type.is(FieldType::Numeric) || r.type.is(FieldType::BigNumeric);
                    std::vector<Fragment> args;
                    for (const ExprPtr &arg : e->args) {
                        const Fragment a = emitExpr(arg.get());
                        args.push_back(decimal && mixed ? call(u"CAST(%1 AS REAL)"_s.arg(a.sql), {&a}, 3, 1) : a);
                    }
                    if (args.size() == 1)
                        return args.front();
                    return callList(name == u"IFNULL"_s ? u"ifnull"_s : u"coalesce"_s, args);
                }
                if (name == u"CONCAT"_s) {
                    std::vector<Fragment> args;
                    for (const ExprPtr &arg : e->args)
                        args.push_back(emitExpr(arg.get()));
                    return emitChain(args, 0, args.size(), u"||"_s, PREC_CONCAT);
                }
                if (name == u"LENGTH"_s)
                    return callList(u"length"_s, {emitExpr(e->args[0].get())});
                if (name == u"ABS"_s) {
                    Fragment f = callList(u"abs"_s, {emitNumber(e->args[0].get())});
                    f.number = true;
                    return f;
                }
                fail(unsupported(u"function %1"_s.arg(name), e->pos));
                return Fragment {};
            }

            static Fragment secondsFloor(const Fragment &ts)
            {
                const Fragment t = operand(ts, PREC_ADD);
                return Fragment {u"(%1 + %2) / %3 - %4"_s.arg(t.sql).arg(EPOCH_OFFSET_MICROS).arg(MICROS_PER_SECOND).arg(EPOCH_OFFSET_SECONDS), PREC_ADD,
                                 t.stack + 6, t.tree + 3};
            }

            Fragment emitCast(const Expr *e)
            {
                const Expr *argExpr = e->args[0].get();
                const CastKind kind = CastKind(e->resolved.castKind);
                const bool computes = kind == CastKind::ToInteger || kind == CastKind::ToReal;
                const Fragment arg = computes ? emitNumber(argExpr) : emitExpr(argExpr);
                switch (kind) {
                case CastKind::Identity:
                case CastKind::Constant:
                    return arg;
                case CastKind::ToReal:
                    if (argExpr->resolved.type.is(FieldType::Numeric) || argExpr->resolved.type.is(FieldType::BigNumeric))
                        return arg;   // number() made it REAL already
                    return call(u"CAST(%1 AS REAL)"_s.arg(arg.sql), {&arg}, 3, 1);
                case CastKind::ToText:
                    return call(u"CAST(%1 AS TEXT)"_s.arg(arg.sql), {&arg}, 3, 1);
                case CastKind::ToNumeric:
                    return call(u"CAST(%1 AS NUMERIC)"_s.arg(arg.sql), {&arg}, 3, 1);
                case CastKind::ToInteger:
                    if (argExpr->resolved.type.is(FieldType::String))
                        return call(u"CAST(%1 AS INTEGER)"_s.arg(arg.sql), {&arg}, 3, 1);
                    // BigQuery rounds half away from zero, as SQLite's round() does
                    return call(u"CAST(round(%1) AS INTEGER)"_s.arg(arg.sql), {&arg}, 6, 2);
                case CastKind::IntToBool: {
                    const Fragment o = operand(arg, PREC_EQUALITY + 1);
                    return Fragment {o.sql + u" <> 0"_s, PREC_EQUALITY, o.stack + 3, o.tree + 1};
                }
                case CastKind::BoolToText:
                    return call(u"CASE %1 WHEN 1 THEN 'true' WHEN 0 THEN 'false' END"_s.arg(arg.sql), {&arg}, 3, 2);
                case CastKind::TextToBool:
                    return call(u"CASE lower(%1) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END"_s.arg(arg.sql), {&arg}, 6, 3);
                case CastKind::TextToBlob:
                    return call(u"CAST(%1 AS BLOB)"_s.arg(arg.sql), {&arg}, 3, 1);
                case CastKind::DateToTimestamp:
                    return call(u"unixepoch(%1) * 1000000"_s.arg(arg.sql), {&arg}, 4, 2);
                case CastKind::DateToDatetime: {
                    const Fragment o = operand(arg, PREC_CONCAT);
                    return Fragment {o.sql + u" || 'T00:00:00'"_s, PREC_CONCAT, o.stack + 1, o.tree + 1};
                }
                case CastKind::TimestampToDate: {
                    const Fragment seconds = secondsFloor(arg);
                    return call(u"date(%1, 'unixepoch')"_s.arg(seconds.sql), {&seconds}, 4, 1);
                }
                case CastKind::DatetimeToDate:
                    return call(u"substr(%1, 1, 10)"_s.arg(arg.sql), {&arg}, 4, 1);
                case CastKind::Invalid:
                case CastKind::Unsupported:
                    break;
                }
                fail(invalidQuery(u"Internal error: cannot emit CAST"_s, e->pos));
                return Fragment {};
            }

            bool checkLimits(const Fragment &f, SourcePos pos)
            {
                if (m_error)
                    return false;
                if (f.stack > MAX_SQLITE_STACK || f.tree > MAX_SQLITE_TREE)
                    return fail(unsupported(u"expression too deeply nested for the local cloud's SQLite engine"_s, pos));
                return true;
            }

            // `column = constant` or `column IN (constants)` at the top of WHERE, on a column indexed in sorted batches:
            // the rows are those its key table names, and those stored since it was last filled (a rowid range at the
            // end of the table). The condition itself stays in WHERE, so this only narrows what SQLite reads: a row whose
            // value only shares a hash with the one asked is read, and left out there.
            std::optional<QString> batchedIndexLookup(const Expr *where)
            {
                if (!where || m_table->batchedIndexes.isEmpty())
                    return std::nullopt;
                std::vector<const Expr *> conjuncts;
                if (where->kind == ExprKind::And) {
                    for (const ExprPtr &arg : where->args)
                        conjuncts.push_back(arg.get());
                } else {
                    conjuncts.push_back(where);
                }
                const auto isValue = [](const Expr *e) { return e->resolved.constant.has_value() || e->resolved.constantIsNull; };
                for (const Expr *c : conjuncts) {
                    const Expr *column = nullptr;
                    std::vector<const Expr *> values;
                    if (c->kind == ExprKind::Binary && c->binaryOp == BinaryOp::Equal) {
                        for (int side = 0; side < 2 && !column; ++side) {
                            if (c->args[size_t(side)]->kind == ExprKind::Path && isValue(c->args[size_t(1 - side)].get())) {
                                column = c->args[size_t(side)].get();
                                values.push_back(c->args[size_t(1 - side)].get());
                            }
                        }
                    } else if (c->kind == ExprKind::In && !c->negated && c->args[0]->kind == ExprKind::Path &&
                               std::all_of(c->args.begin() + 1, c->args.end(), [&](const ExprPtr &v) { return isValue(v.get()); })) {
                        column = c->args[0].get();
                        for (size_t i = 1; i < c->args.size(); ++i)
                            values.push_back(c->args[i].get());
                    }
                    if (!column || column->resolved.column < 0)
                        continue;
                    const QString &name = m_table->schema.fields[column->resolved.column].name;
                    const auto index = std::find_if(m_table->batchedIndexes.cbegin(), m_table->batchedIndexes.cend(),
                                                    [&](const SqlBatchedIndex &i) { return i.column == name; });
                    // The values are bound again, and their hashes: a list too long for that is left to the scan.
                    if (index == m_table->batchedIndexes.cend() || m_result.bindings.size() + 2 * qsizetype(values.size()) + 1 > MAX_BINDINGS)
                        continue;
                    // The key table holds hashes (see keyhash.h) of text or bytes; a value of another type is not
                    // narrowed. NULL equals nothing: the rows it would match are none.
                    std::vector<const SqlValue *> keys;
                    for (const Expr *value : values) {
                        if (!value->resolved.constantIsNull && value->resolved.constant)
                            keys.push_back(&*value->resolved.constant);
                    }
                    if (!std::all_of(keys.cbegin(), keys.cend(), [](const SqlValue *key) {
                            return std::holds_alternative<QString>(*key) || std::holds_alternative<QByteArray>(*key);
                        }))
                        continue;
                    QStringList placeholders;
                    QStringList hashes;
                    for (const SqlValue *key : keys) {
                        placeholders.append(bind(*key));
                        const QByteArray bytes = std::holds_alternative<QString>(*key) ? std::get<QString>(*key).toUtf8() : std::get<QByteArray>(*key);
                        hashes.append(bind(SqlValue {qint64(keyHash(bytes))}));
                    }
                    if (keys.empty()) {
                        placeholders.append(u"NULL"_s);
                        hashes.append(u"NULL"_s);
                    }
                    const QString indexed = bind(SqlValue {m_table->indexedThrough});
                    return u"%1 IN (SELECT seq FROM %2 WHERE hash IN (%3) UNION ALL SELECT %1 FROM %4 WHERE %1 > %5 AND %6 IN (%7))"_s.arg(
                        SEQ_COLUMN, quoteIdentifier(index->keysTable), hashes.join(u", "_s), quoteIdentifier(m_table->sqliteName), indexed,
                        quoteIdentifier(name), placeholders.join(u", "_s));
                }
                return std::nullopt;
            }

            bool emitQuery()
            {
                const SelectStatement &s = m_statement;
                QString sql = u"SELECT "_s;
                if (s.distinct)
                    sql += u"DISTINCT "_s;
                QStringList columns;
                for (const OutputColumn &column : m_columns) {
                    const Fragment f = emitExpr(column.expr);
                    if (!checkLimits(f, column.pos))
                        return false;
                    columns.append(f.sql);
                }
                sql += columns.join(u", "_s);
                if (m_table) {
                    sql += u" FROM "_s + quoteIdentifier(m_table->sqliteName);
                    QStringList conditions;
                    if (s.where) {
                        const Fragment where = emitExpr(s.where.get());
                        if (!checkLimits(where, s.where->pos))
                            return false;
                        conditions.append(operand(where, PREC_AND + 1).sql);
                    }
                    if (const std::optional<QString> lookup = batchedIndexLookup(s.where.get()))
                        conditions.append(*lookup);
                    // the unary + keeps SQLite from choosing a rowid range scan over an index that serves ORDER BY
                    if (m_table->maxSeq)
                        conditions.append(u"+"_s + SEQ_COLUMN + u" <= "_s + bind(SqlValue {*m_table->maxSeq}));
                    if (!conditions.isEmpty())
                        sql += u" WHERE "_s + conditions.join(u" AND "_s);
                }
                if (!m_groupKeys.empty()) {
                    QStringList keys;
                    for (size_t i = 0; i < m_groupKeys.size(); ++i) {
                        const Fragment f = emitExpr(m_groupKeys[i]);
                        if (!checkLimits(f, s.groupBy[i]->pos))
                            return false;
                        keys.append(f.sql);
                    }
                    sql += u" GROUP BY "_s + keys.join(u", "_s);
                }
                if (s.having) {
                    const Fragment having = emitExpr(s.having.get());
                    if (!checkLimits(having, s.having->pos))
                        return false;
                    sql += u" HAVING "_s + having.sql;
                }
                QStringList order;
                for (const auto &[key, item] : m_orderKeys) {
                    const Fragment f = emitNumber(key);
                    if (!checkLimits(f, item->expr->pos))
                        return false;
                    QString term = f.sql + (item->descending ? u" DESC"_s : QString());
                    // BigQuery and SQLite agree on the default (NULLs first ascending, last descending);
                    // spelling the default out would keep SQLite from using an index.
                    if (item->nulls == NullsOrder::First && item->descending)
                        term += u" NULLS FIRST"_s;
                    else if (item->nulls == NullsOrder::Last && !item->descending)
                        term += u" NULLS LAST"_s;
                    order.append(term);
                }
                // Ingest order breaks ties so that pages of a non-aggregate query are stable.
                if (m_table && !m_aggregate && !s.distinct) {
                    const bool descending = !m_orderKeys.empty() && m_orderKeys.front().second->descending;
                    order.append(SEQ_COLUMN + (descending ? u" DESC"_s : QString()));
                }
                if (order.size() > MAX_COLUMNS)
                    return fail(unsupported(u"more than %1 ORDER BY keys"_s.arg(MAX_COLUMNS), s.pos));
                if (!order.isEmpty())
                    sql += u" ORDER BY "_s + order.join(u", "_s);
                if (s.limit) {
                    sql += u" LIMIT "_s + emitConstant(s.limit.get()).sql;
                    if (s.offset)
                        sql += u" OFFSET "_s + emitConstant(s.offset.get()).sql;
                }
                if (m_error)
                    return false;
                if (sql.size() > MAX_SQL_CHARS)
                    return fail(unsupported(u"query too complex once translated (more than %1 characters of SQL)"_s.arg(MAX_SQL_CHARS), s.pos));
                m_result.sql = sql.toUtf8();
                m_result.statementType = u"SELECT"_s;
                return true;
            }

            const SqlCatalog &m_catalog;
            const TranslateOptions &m_options;
            QHash<QString, QueryParameter> m_named;
            QList<QueryParameter> m_positional;
            bool m_usedNamed = false;
            bool m_usedPositional = false;

            SelectStatement m_statement;
            std::optional<SqlTable> m_table;
            QString m_rangeName;
            std::vector<ExprPtr> m_synthesized;
            std::vector<OutputColumn> m_columns;
            std::vector<const Expr *> m_groupKeys;
            std::vector<std::pair<const Expr *, const OrderItem *>> m_orderKeys;
            bool m_aggregate = false;

            TranslatedQuery m_result;
            std::optional<ApiError> m_error;
        };
    }

    Result<TranslatedQuery> translateQuery(const QString &googleSql,
                                           const QList<QueryParameter> &parameters,
                                           const SqlCatalog &catalog,
                                           const TranslateOptions &options)
    {
        Translator translator(parameters, catalog, options);
        return translator.run(googleSql);
    }
}
