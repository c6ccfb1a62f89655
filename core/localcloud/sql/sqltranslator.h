#pragma once

#include <functional>
#include <optional>
#include <variant>

#include <QByteArray>
#include <QList>
#include <QString>

#include "core/bigquery/tableschema.h"
#include "core/common/result.h"

namespace Aq::LocalCloud
{
    // How BigQuery values are stored in the local cloud's SQLite tables (one SQLite table per BigQuery
    // table, one column per top-level field, named as the field, plus the hidden ingest-order column
    // "_aq_seq INTEGER PRIMARY KEY"):
    //   STRING, GEOGRAPHY -> TEXT          BYTES -> BLOB              INT64 -> INTEGER
    //   FLOAT64 -> REAL                    NUMERIC, BIGNUMERIC -> TEXT, the exact decimal (column with no affinity;
    //                                      compare and compute with CAST(col AS REAL))
    //   BOOL -> INTEGER 0/1                TIMESTAMP -> INTEGER microseconds since the epoch, UTC
    //   DATE -> TEXT YYYY-MM-DD            TIME -> TEXT HH:MM:SS[.ffffff]
    //   DATETIME -> TEXT YYYY-MM-DDTHH:MM:SS[.ffffff]
    //   JSON -> TEXT (compact JSON)        RECORD (not repeated) -> TEXT, a JSON object keyed by sub-field
    //   any REPEATED field -> TEXT, a JSON array of the elements
    //   (inside RECORD and REPEATED values every scalar is kept as its BigQuery cell string, the `v` of the
    //   f/v encoding with int64-microsecond timestamps; the translator passes such columns through whole)
    // SQL NULL is NULL for every type.

    using SqlValue = std::variant<std::monostate, qint64, double, QString, QByteArray>;

    // A column indexed in batches rather than by a SQLite index (see batchedindex.h): `keysTable(hash, seq)`
    // holds the keyHash() of its values for the rows up to SqlTable::indexedThrough; later rows are not in it.
    struct SqlBatchedIndex
    {
        QString column;
        QString keysTable;
    };

    struct SqlTable
    {
        QString sqliteName;             // e.g. "bq_t12"
        BigQuery::TableSchema schema;
        std::optional<qint64> maxSeq;   // when set, only rows with _aq_seq <= maxSeq are visible (job snapshot)
        QList<SqlBatchedIndex> batchedIndexes;
        qint64 indexedThrough = 0;
    };

    // Resolves a BigQuery table reference; nullopt means "Not found: Table project:dataset.table".
    using SqlCatalog = std::function<std::optional<SqlTable>(const QString &project, const QString &dataset, const QString &table)>;

    struct QueryParameter
    {
        QString name;                   // empty for positional parameters
        BigQuery::FieldType type = BigQuery::FieldType::String;
        std::optional<QString> value;   // the scalar as text ("5", "true", "2024-05-01T00:00:00Z"); nullopt = NULL
        bool isArray = false;           // an ARRAY<type> parameter: refused when the query uses it (outside the subset)
    };

    struct TranslateOptions
    {
        QString defaultProject;         // used for `dataset.table`
        QString defaultDataset;         // used for a bare `table` (QueryRequest.defaultDataset), may be empty
        qint64 nowMicros = 0;           // CURRENT_TIMESTAMP() of the query (fixed for the whole query)
    };

    struct TranslatedQuery
    {
        QByteArray sql;                 // SQLite SQL with ?NNN placeholders
        QList<SqlValue> bindings;       // values for ?1, ?2, ... in order
        BigQuery::TableSchema resultSchema; // one field per output column, types as BigQuery would report them
        QString statementType = QStringLiteral("SELECT");
    };

    // Translates the documented GoogleSQL subset (docs/SQL.md) to SQLite. Anything outside the subset is an
    // INVALID_ARGUMENT ApiError with reason "invalidQuery" that names the construct; unknown tables are
    // NOT_FOUND ("Not found: Table p:d.t"); unknown columns and parameters are INVALID_ARGUMENT
    // ("Unrecognized name: foo").
    Result<TranslatedQuery> translateQuery(const QString &googleSql,
                                           const QList<QueryParameter> &parameters,
                                           const SqlCatalog &catalog,
                                           const TranslateOptions &options);
}
