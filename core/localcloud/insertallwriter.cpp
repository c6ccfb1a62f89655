#include "core/localcloud/insertallwriter.h"

#include <bit>

#include "core/common/timeutil.h"
#include "core/localcloud/jsonwriter.h"

using namespace Qt::Literals::StringLiterals;
using Aq::BigQuery::TableField;
using Aq::BigQuery::TableSchema;

namespace Aq::LocalCloud
{
    namespace
    {
        // Rows per INSERT statement (fewer with very wide tables): SQLite's per-statement work (step, halt,
        // cursors) is then a small part of an insertAll.
        constexpr qsizetype ROWS_PER_INSERT = 64;
        constexpr qsizetype IDS_PER_INSERT = 128;
        constexpr qsizetype MAX_BOUND_VALUES = 30000;   // under SQLite's 32,766 placeholders per statement

        QByteArray quoted(const QString &identifier)
        {
            return '"' + identifier.toUtf8().replace('"', "\"\"") + '"';
        }

        QByteArray idsTable(int generation)
        {
            return "bq_insert_ids_" + QByteArray::number(generation);
        }

        QByteArrayView view(std::string_view text)
        {
            return QByteArrayView(text.data(), qsizetype(text.size()));
        }
    }

    InsertAllWriter::InsertAllWriter(SqliteDatabase &db, qint64 dedupWindowMicros)
        : m_db {db}
        , m_windowMicros {dedupWindowMicros}
    {
    }

    Status InsertAllWriter::load()
    {
        Result<SqliteStatement *> meta = m_db.prepare("SELECT key, value FROM aq_meta WHERE key IN ('dedup_generation', 'dedup_generation_start')");
        if (!meta)
            return meta.error();
        while ((*meta)->step()) {
            if ((*meta)->text(0) == u"dedup_generation"_s)
                m_generation = int((*meta)->text(1).toInt()) & 1;
            else
                m_generationStart = (*meta)->text(1).toLongLong();
        }
        // After a restart the filters know nothing of the stored ids: they are trusted again once their
        // generation starts afresh. A new store has no ids at all, so both are complete at once.
        const bool freshStore = m_generationStart == 0;
        m_filters[0].clear(freshStore);
        m_filters[1].clear(freshStore);
        if (freshStore)
            return rotate(true);
        return Ok {};
    }

    Status InsertAllWriter::rotateIfDue()
    {
        return rotate(false);
    }

    Status InsertAllWriter::rotate(bool force)
    {
        const qint64 now = Time::nowMicros();
        if (!force && now - m_generationStart < m_windowMicros)
            return Ok {};
        const int next = force && m_generationStart == 0 ? 0 : 1 - m_generation;
        SqliteTransaction transaction(m_db);
        const QByteArray sql = "DELETE FROM " + idsTable(next) + ";"
            "INSERT OR REPLACE INTO aq_meta(key, value) VALUES('dedup_generation', '" + QByteArray::number(next) + "'),"
            "('dedup_generation_start', '" + QByteArray::number(now) + "');";
        if (Status s = m_db.exec(sql); !s)
            return s;
        if (Status s = transaction.commit(); !s)
            return s;
        m_generation = next;
        m_generationStart = now;
        m_filters[next].clear(true);
        return Ok {};
    }

    std::vector<Result<InsertAllWriter::Stored>> InsertAllWriter::store(const std::vector<Request> &requests)
    {
        std::vector<Result<Stored>> results;
        results.reserve(requests.size());
        const auto failAll = [&](const ApiError &error) {
            results.assign(requests.size(), Result<Stored>(error));
            return results;
        };
        SqliteTransaction transaction(m_db);
        if (!transaction.isActive())
            return failAll(m_db.error(u"insertAll"_s));
        const bool isolate = requests.size() > 1;
        for (const Request &request : requests) {
            if (isolate) {
                if (Status s = m_db.execute("SAVEPOINT aq_insert_all", {}, u"insertAll"_s); !s)
                    return failAll(s.error());
            }
            Result<Stored> stored = storeOne(request);
            if (isolate) {
                // A failed statement may have rolled the whole transaction back (SQLite does on a full disk):
                // then the savepoint is gone, and so is every request's work.
                if (!stored) {
                    if (Status s = m_db.execute("ROLLBACK TO aq_insert_all", {}, u"insertAll"_s); !s)
                        return failAll(stored.error());
                }
                if (Status s = m_db.execute("RELEASE aq_insert_all", {}, u"insertAll"_s); !s)
                    return failAll(stored ? s.error() : stored.error());
            }
            results.push_back(std::move(stored));
        }
        if (!isolate && !results.front())
            return results;   // the transaction rolls back as it goes
        if (Status s = transaction.commit(); !s)
            return failAll(s.error());
        return results;
    }

    Result<InsertAllWriter::Stored> InsertAllWriter::storeOne(const Request &request)
    {
        const qint64 tableId = request.tableId;
        const RowCodec::DecodedInsert &decoded = *request.decoded;
        const qsizetype count = decoded.rows.rowCount();
        JsonWriter errors(256);
        int errorCount = 0;
        auto addError = [&](qsizetype index, const QList<RowCodec::CellError> &cellErrors, bool stopped) {
            errors.raw(errorCount++ ? "," : "");
            errors.raw("{\"index\":");
            errors.number(index);
            errors.raw(",\"errors\":[");
            if (stopped) {
                errors.raw("{\"reason\":\"stopped\",\"location\":\"\",\"debugInfo\":\"\",\"message\":\"\"}");
            } else {
                for (qsizetype i = 0; i < cellErrors.size(); ++i) {
                    errors.raw(i ? ",{\"reason\":\"invalid\",\"location\":" : "{\"reason\":\"invalid\",\"location\":");
                    errors.string(cellErrors[i].location);
                    errors.raw(",\"debugInfo\":\"\",\"message\":");
                    errors.string(cellErrors[i].message);
                    errors.raw("}");
                }
            }
            errors.raw("]}");
        };

        Stored stored;
        if (decoded.anyInvalid && !decoded.skipInvalidRows) {
            // One bad row fails the request: BigQuery reports the others as "stopped" and stores none.
            for (qsizetype i = 0; i < count; ++i)
                addError(i, decoded.errors[i], decoded.errors[i].isEmpty());
        } else {
            InsertIdFilter &filter = m_filters[m_generation];
            std::vector<qsizetype> toStore;
            toStore.reserve(size_t(count));
            std::vector<qsizetype> newIds;   // certainly new to this generation, not remembered in SQLite yet
            newIds.reserve(size_t(count));
            std::vector<quint64> hashes(size_t(count), 0);
            for (qsizetype i = 0; i < count; ++i) {
                if (decoded.insertIds.isNull(i, 0))
                    continue;
                hashes[size_t(i)] = InsertIdFilter::hash(tableId, view(decoded.insertIds.bytes(i, 0)));
                m_filters[0].prefetch(hashes[size_t(i)]);
                m_filters[1].prefetch(hashes[size_t(i)]);
            }
            for (qsizetype i = 0; i < count; ++i) {
                if (!decoded.errors[i].isEmpty()) {
                    addError(i, decoded.errors[i], false);
                    continue;
                }
                if (decoded.insertIds.isNull(i, 0)) {
                    toStore.push_back(i);   // rows without an insertId are not de-duplicated
                    continue;
                }
                const std::string_view id = decoded.insertIds.bytes(i, 0);
                const quint64 hash = hashes[size_t(i)];
                const Result<bool> seen = seenInPreviousGeneration(tableId, id, hash);
                if (!seen)
                    return seen.error();
                if (*seen)
                    continue;
                if (filter.isComplete() && filter.addIfNew(hash)) {
                    newIds.push_back(i);
                    toStore.push_back(i);
                    continue;
                }
                // Maybe seen in this generation (or the filter does not know, after a restart): SQLite decides,
                // once it holds every id of this request before this one (the same id twice in one request).
                if (Status s = rememberAll(tableId, decoded.insertIds, newIds); !s)
                    return s.error();
                newIds.clear();
                const Result<bool> isNew = rememberIfNew(tableId, id);
                if (!isNew)
                    return isNew.error();
                if (!*isNew)
                    continue;   // the same insertId within this window: already stored
                filter.add(hash);
                toStore.push_back(i);
            }
            if (Status s = rememberAll(tableId, decoded.insertIds, newIds); !s)
                return s.error();
            if (Status s = insertRows(request.sqliteTable, *request.schema, decoded.rows, toStore); !s)
                return s.error();
            stored.rows = qint64(toStore.size());
        }
        if (errorCount == 0)
            stored.reply = QByteArray("{\"kind\":\"bigquery#tableDataInsertAllResponse\"}");
        else
            stored.reply = QByteArray("{\"kind\":\"bigquery#tableDataInsertAllResponse\",\"insertErrors\":[" + errors.take() + "]}");
        return stored;
    }

    Result<bool> InsertAllWriter::seenInPreviousGeneration(qint64 tableId, std::string_view insertId, quint64 hash)
    {
        const int previous = 1 - m_generation;
        const InsertIdFilter &filter = m_filters[previous];
        if (filter.isComplete() && !filter.mayContain(hash))
            return false;
        return stepWithId("SELECT 1 FROM " + idsTable(previous) + " WHERE table_id=?1 AND insert_id=?2", tableId, insertId);
    }

    Result<bool> InsertAllWriter::rememberIfNew(qint64 tableId, std::string_view insertId)
    {
        const Result<bool> ran = stepWithId("INSERT OR IGNORE INTO " + idsTable(m_generation) + "(table_id, insert_id) VALUES(?1, ?2)", tableId, insertId);
        if (!ran)
            return ran;
        return m_db.changes() > 0;
    }

    Result<bool> InsertAllWriter::stepWithId(const QByteArray &sql, qint64 tableId, std::string_view insertId)
    {
        Result<SqliteStatement *> statement = m_db.prepare(sql);
        if (!statement)
            return statement.error();
        SqliteStatement *st = *statement;
        st->bind(1, tableId);
        st->bindStaticText(2, insertId.data(), qsizetype(insertId.size()));
        const bool row = st->step();
        const bool failed = st->hasError();
        st->reset();
        if (failed)
            return m_db.error(u"insertAll"_s);
        return row;
    }

    Status InsertAllWriter::rememberAll(qint64 tableId, const CellBatch &insertIds, const std::vector<qsizetype> &rows)
    {
        // A plain INSERT: the filter said these ids are new, and a Bloom filter has no false negatives. Were one
        // there after all, the request fails rather than store a row twice.
        const QByteArray head = "INSERT INTO " + idsTable(m_generation) + "(table_id, insert_id)";
        return inPieces(rows, IDS_PER_INSERT, head, 2, [&](SqliteStatement &statement, const qsizetype *piece, qsizetype n) {
            for (qsizetype r = 0; r < n; ++r) {
                const std::string_view id = insertIds.bytes(piece[r], 0);
                statement.bind(int(2 * r + 1), tableId);
                statement.bindStaticText(int(2 * r + 2), id.data(), qsizetype(id.size()));
            }
        });
    }

    Status InsertAllWriter::insertRows(const QByteArray &sqliteTable, const TableSchema &schema, const CellBatch &cells, const std::vector<qsizetype> &rows)
    {
        const qsizetype columns = schema.fields.size();
        QByteArray head = "INSERT INTO " + sqliteTable + '(';
        for (qsizetype c = 0; c < columns; ++c)
            head += (c ? ", " : "") + quoted(schema.fields[c].name);
        head += ')';
        const qsizetype piece = qMax<qsizetype>(1, qMin<qsizetype>(ROWS_PER_INSERT, MAX_BOUND_VALUES / qMax<qsizetype>(1, columns)));
        return inPieces(rows, piece, head, columns, [&](SqliteStatement &statement, const qsizetype *rowsOfPiece, qsizetype n) {
            for (qsizetype r = 0; r < n; ++r)
                cells.bindRow(statement, rowsOfPiece[r], int(r * columns + 1));
        });
    }

    const QByteArray &InsertAllWriter::valuesSql(const QByteArray &head, qsizetype columns, qsizetype rows)
    {
        // "head VALUES(?,?),(?,?),...": built once per table and statement size, then only looked up
        QByteArray &sql = m_valuesSql[{head, rows}];
        if (sql.isEmpty()) {
            if (m_valuesSql.size() > 1024) {
                // tables come and go: start over rather than grow without bound
                m_valuesSql.clear();
                return valuesSql(head, columns, rows);
            }
            const QByteArray tuple = "(?" + QByteArray(",?").repeated(columns - 1) + ')';
            sql = head + " VALUES" + tuple + QByteArray(',' + tuple).repeated(rows - 1);
        }
        return sql;
    }

    Status InsertAllWriter::inPieces(const std::vector<qsizetype> &rows, qsizetype piece, const QByteArray &head, qsizetype columns, const Binder &bind)
    {
        // Full pieces, then the rest in powers of two: a handful of statement shapes, each prepared once and
        // then found in the cache, serve every batch size.
        const qsizetype total = qsizetype(rows.size());
        for (qsizetype first = 0; first < total;) {
            const qsizetype remaining = total - first;
            const qsizetype n = remaining >= piece ? piece : qsizetype(std::bit_floor(quint64(remaining)));
            Result<SqliteStatement *> statement = m_db.prepare(valuesSql(head, columns, n));
            if (!statement)
                return statement.error();
            SqliteStatement *st = *statement;
            bind(*st, rows.data() + first, n);
            st->step();
            const bool failed = st->hasError();
            st->reset();   // it read the bytes of the batch in place: let go of them
            if (failed)
                return m_db.error(u"insertAll"_s);
            first += n;
        }
        return Ok {};
    }
}
