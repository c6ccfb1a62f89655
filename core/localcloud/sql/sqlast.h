#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include "core/bigquery/tableschema.h"
#include "core/localcloud/sql/sqltranslator.h"

// The syntax tree of the GoogleSQL subset (docs/SQL.md). The parser fills in the syntax; the translator
// annotates the same nodes with what it resolved (types, columns, coerced constants) before it emits SQLite.
namespace Aq::LocalCloud::Sql
{
    // Expression nesting the parser accepts; deeper input is refused before anything recurses on it.
    constexpr int MAX_EXPRESSION_DEPTH = 200;

    struct SourcePos
    {
        int line = 1;
        int column = 1;
    };

    enum class ExprKind
    {
        NullLiteral,
        BoolLiteral,
        IntLiteral,         // text: the digits as written (a folded unary minus included), decimal or 0x hex
        FloatLiteral,       // text: as written
        StringLiteral,      // text: the value
        BytesLiteral,       // bytes: the value
        TypedLiteral,       // name: TIMESTAMP, DATE, ...; text: the string value
        NamedParameter,     // name: as written, without '@'
        PositionalParameter, // parameterIndex: 0-based among the '?' of the query
        Path,               // path: a.b.c (a column, alias.column, or more)
        Unary,              // unaryOp, args[0]
        Binary,             // binaryOp, args[0], args[1]
        And,                // args (flattened)
        Or,                 // args (flattened)
        Not,                // args[0]
        In,                 // args[0] IN (args[1..]); negated
        Between,            // args[0] BETWEEN args[1] AND args[2]; negated
        Like,               // args[0] LIKE args[1]; negated
        IsNull,             // args[0] IS [NOT] NULL; negated
        IsBool,             // args[0] IS [NOT] TRUE|FALSE; boolValue, negated
        IsDistinct,         // args[0] IS [NOT] DISTINCT FROM args[1]; negated = IS NOT DISTINCT FROM
        Function,           // name (upper case, dotted for qualified names); args; distinct; star (COUNT(*))
        Cast,               // args[0] AS name (upper case)
        Interval,           // INTERVAL args[0] name (the unit, upper case); only inside TIMESTAMP_ADD/SUB
        AliasRef,           // made by the translator: a SELECT-list alias used in GROUP BY/HAVING/ORDER BY
    };

    enum class UnaryOp
    {
        Minus,
        Plus,
    };

    enum class BinaryOp
    {
        Equal,
        NotEqual,
        Less,
        LessEqual,
        Greater,
        GreaterEqual,
        Add,
        Subtract,
        Multiply,
        Divide,
        Concat,
    };

    QString binaryOpText(BinaryOp op);
    bool isComparison(BinaryOp op);

    // A value type as the translator sees it: a BigQuery type, ARRAY of it, or a STRUCT with its fields.
    struct SqlType
    {
        BigQuery::FieldType type = BigQuery::FieldType::Int64;
        bool repeated = false;
        QList<BigQuery::TableField> fields;     // RECORD sub-fields

        bool isScalar() const { return !repeated && type != BigQuery::FieldType::Record; }
        bool is(BigQuery::FieldType t) const { return !repeated && type == t; }
        bool operator==(const SqlType &other) const;
        QString name() const;                   // INT64, ARRAY<STRING>, STRUCT<a INT64>
    };

    struct Expr;
    using ExprPtr = std::unique_ptr<Expr>;

    struct Expr
    {
        ExprKind kind = ExprKind::NullLiteral;
        SourcePos pos;
        int depth = 1;                          // of the subtree rooted here
        UnaryOp unaryOp = UnaryOp::Minus;
        BinaryOp binaryOp = BinaryOp::Equal;
        bool negated = false;
        bool boolValue = false;
        bool distinct = false;
        bool star = false;
        QString text;
        QString name;
        QByteArray bytes;
        QStringList path;
        QList<SourcePos> pathPos;
        int parameterIndex = -1;
        std::vector<ExprPtr> args;

        // Filled in by the translator.
        struct Resolved
        {
            bool done = false;
            SqlType type;
            bool untypedNull = false;           // a NULL literal: coerces to anything
            int column = -1;                    // Path: index in the table schema
            const Expr *alias = nullptr;        // AliasRef: the SELECT-list expression
            int aliasColumn = -1;               // AliasRef: its output column
            bool aggregate = false;             // an aggregate function call
            bool containsAggregate = false;
            std::optional<SqlValue> constant;   // literal or parameter value to bind (after coercion)
            bool constantIsNull = false;        // the literal/parameter is NULL
            std::optional<QString> coercibleString; // a STRING literal/parameter: may coerce to a date/time type
            qint64 unitMicros = 0;              // TIMESTAMP_ADD/SUB, TIMESTAMP_TRUNC
            int truncUnit = 0;                  // TIMESTAMP_TRUNC: see sqltranslator.cpp
            int castKind = 0;                   // CAST: see sqltranslator.cpp
            QString jsonPath;                   // JSON_VALUE/JSON_QUERY: the path in SQLite's syntax
        } resolved;
    };

    struct SelectItem
    {
        ExprPtr expr;                           // null for a star
        bool isStar = false;
        QString starQualifier;                  // `e.*`
        SourcePos starQualifierPos;
        QStringList exceptColumns;              // `* EXCEPT (a, b)`
        QList<SourcePos> exceptPos;
        QString alias;                          // explicit alias, empty when none
        SourcePos pos;
    };

    struct TableRef
    {
        bool present = false;
        QStringList path;                       // one to three parts, backticked dots already split
        QString alias;                          // explicit alias, empty when none
        SourcePos pos;
    };

    enum class NullsOrder
    {
        Default,
        First,
        Last,
    };

    struct OrderItem
    {
        ExprPtr expr;
        bool descending = false;
        NullsOrder nulls = NullsOrder::Default;
    };

    struct SelectStatement
    {
        SourcePos pos;
        bool distinct = false;
        std::vector<SelectItem> items;
        TableRef from;
        ExprPtr where;
        std::vector<ExprPtr> groupBy;
        ExprPtr having;
        std::vector<OrderItem> orderBy;
        ExprPtr limit;
        ExprPtr offset;
        int positionalParameterCount = 0;
    };

    // " at [line:column]"
    QString locationSuffix(SourcePos pos);
    ApiError syntaxError(const QString &what, SourcePos pos);
    ApiError unsupported(const QString &construct, SourcePos pos);
    ApiError invalidQuery(const QString &message, SourcePos pos);
}
