#include "core/localcloud/batchedindex.h"

#include <QJsonArray>

using Aq::BigQuery::FieldType;
using Aq::BigQuery::TableField;
using Aq::BigQuery::TableSchema;
using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud::BatchedIndex
{
    namespace
    {
        const QString KEY_TABLE_SUFFIX = u"_key_hashes"_s;

        // The SQLite index a clustering column had before it was indexed in batches: the key table's name without
        // its suffix. The key table of values that store version 4 had: that name with "_keys".
        QString replacedIndex(const SqlBatchedIndex &index)
        {
            return index.keysTable.chopped(KEY_TABLE_SUFFIX.size());
        }
    }

    bool isBatched(const TableField &field)
    {
        return !field.isRepeated() && (field.type == FieldType::String || field.type == FieldType::Bytes);
    }

    QList<SqlBatchedIndex> columnsOf(const QByteArray &sqliteName, const QJsonObject &resource, const TableSchema &schema)
    {
        QList<SqlBatchedIndex> indexes;
        const QJsonArray clustering = resource.value(u"clustering"_s).toObject().value(u"fields"_s).toArray();
        for (qsizetype i = 1; i < clustering.size(); ++i) {
            const TableField *field = schema.field(clustering[i].toString());
            if (field && isBatched(*field))
                indexes.append({field->name, QString::fromLatin1(sqliteName + "_clustering_" + QByteArray::number(i)) + KEY_TABLE_SUFFIX});
        }
        return indexes;
    }

    QByteArray createSql(const QList<SqlBatchedIndex> &indexes)
    {
        QByteArray sql;
        for (const SqlBatchedIndex &index : indexes) {
            // The version-4 key table of values, if any, goes: the migration to version 5 set indexed_through
            // back to 0, so the new one is filled from every row.
            sql += "CREATE TABLE IF NOT EXISTS " + quotedIdentifier(index.keysTable) + "(hash INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(hash, seq)) WITHOUT ROWID;"
                   "DROP INDEX IF EXISTS " + quotedIdentifier(replacedIndex(index)) + ";"
                   "DROP TABLE IF EXISTS " + quotedIdentifier(replacedIndex(index) + u"_keys"_s) + ';';
        }
        return sql;
    }

    QByteArray dropSql(qint64 tableId, const QList<SqlBatchedIndex> &indexes)
    {
        QByteArray sql = "DELETE FROM bq_batched_indexes WHERE table_id=" + QByteArray::number(tableId) + ';';
        for (const SqlBatchedIndex &index : indexes)
            sql += "DROP TABLE IF EXISTS " + quotedIdentifier(index.keysTable) + ';';
        return sql;
    }

    Result<qint64> indexedThrough(SqliteDatabase &db, qint64 tableId)
    {
        return db.integer("SELECT indexed_through FROM bq_batched_indexes WHERE table_id=?1", {tableId}, u"read how far a table is indexed"_s);
    }

    Status indexRows(SqliteDatabase &db, qint64 tableId, const QByteArray &sqliteName, const QList<SqlBatchedIndex> &indexes, qint64 from, qint64 through)
    {
        SqliteTransaction transaction(db);
        for (const SqlBatchedIndex &index : indexes) {
            // In one transaction, so that each page is written once. Into a table that has keys already, in row
            // order: sorting first measured slower. The first fill (a new store's first batch, or a table from
            // before key tables) sorted: the B-tree is then built by appending, each page written once and full.
            // NULL is never equal to anything.
            const QByteArray column = quotedIdentifier(index.column);
            const QByteArray sql = "INSERT OR IGNORE INTO " + quotedIdentifier(index.keysTable) + "(hash, seq) SELECT aq_key_hash(" + column + "), \"_aq_seq\" FROM " + sqliteName +
                                   " WHERE \"_aq_seq\" > ?1 AND \"_aq_seq\" <= ?2 AND " + column + " IS NOT NULL" + (from == 0 ? " ORDER BY 1, 2" : "");
            if (Status s = db.execute(sql, {from, through}, u"index a table's key column"_s); !s)
                return s;
        }
        if (Status s = db.execute("INSERT INTO bq_batched_indexes(table_id, indexed_through) VALUES(?1, ?2) "
                                  "ON CONFLICT(table_id) DO UPDATE SET indexed_through=excluded.indexed_through",
                                  {tableId, through}, u"record how far a table is indexed"_s); !s)
            return s;
        return transaction.commit();
    }
}
