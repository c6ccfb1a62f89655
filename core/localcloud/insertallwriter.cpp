#include "core/localcloud/insertallwriter.h"

#include <bit>
#include <cstring>

#include "core/common/timeutil.h"
#include "core/localcloud/jsonwriter.h"
#include "core/localcloud/sql/keyhash.h"

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
        // Logged ids are hashed once this many wait: the larger the batch, the more of its hashes share each
        // B-tree page written; the in-memory set of unhashed ids stays a few MiB.
        constexpr qsizetype HASH_BATCH_IDS = 65536;
        constexpr qsizetype MAX_BOUND_VALUES = 30000;   // under SQLite's 32,766 placeholders per statement

        QByteArray logTable(int generation)
        {
            return "bq_insert_id_log_" + QByteArray::number(generation);
        }

        QByteArray hashesTable(int generation)
        {
            return "bq_insert_id_hashes_" + QByteArray::number(generation);
        }

        QByteArray hashedThroughKey(int generation)
        {
            return "dedup_log_hashed_through_" + QByteArray::number(generation);
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
        Result<SqliteStatement *> meta = m_db.prepare("SELECT key, value FROM aq_meta WHERE key IN "
                                                      "('dedup_generation', 'dedup_generation_start', '" + hashedThroughKey(0) + "', '" + hashedThroughKey(1) + "')");
        if (!meta)
            return meta.error();
        m_hashedThrough[0] = m_hashedThrough[1] = 0;
        while ((*meta)->step()) {
            const QByteArray key = (*meta)->textUtf8(0);
            const qint64 value = (*meta)->text(1).toLongLong();
            if (key == "dedup_generation")
                m_generation = int(value) & 1;
            else if (key == "dedup_generation_start")
                m_generationStart = value;
            else
                m_hashedThrough[key == hashedThroughKey(1) ? 1 : 0] = value;
        }
        // After a restart the filters know nothing of the stored ids: they are trusted again once their
        // generation starts afresh. A new store has no ids at all, so both are complete at once.
        const bool freshStore = m_generationStart == 0;
        m_filters[0].clear(freshStore);
        m_filters[1].clear(freshStore);
        m_logged[0].clear();
        m_logged[1].clear();
        m_loggedInTransaction.clear();
        if (freshStore)
            return rotate(true);
        // What the logs held unhashed when the last run stopped is hashed now, so the in-memory set starts empty.
        return hashLoggedIds();
    }

    Status InsertAllWriter::hashLoggedIds()
    {
        SqliteTransaction transaction(m_db);
        qint64 hashedThrough[2] = {m_hashedThrough[0], m_hashedThrough[1]};
        for (int generation : {0, 1}) {
            // In log order: in one transaction each page is written once whatever the order, and sorting first
            // measured slower than the B-tree descents it spared. Grouped hashes: a batch of consecutive ids writes
            // a few neighbouring pages, not a page per id. The seed is the table.
            if (Status s = m_db.execute("INSERT INTO " + hashesTable(generation) + "(hash, seq) SELECT aq_grouped_key_hash(insert_id, table_id), seq FROM " +
                                            logTable(generation) + " WHERE seq > ?1",
                                        {hashedThrough[generation]}, u"remember insertIds"_s);
                !s)
                return s;
            const Result<qint64> last = m_db.integer("SELECT MAX(seq) FROM " + logTable(generation), {}, u"remember insertIds"_s);
            if (!last)
                return last.error();
            if (*last <= hashedThrough[generation])
                continue;
            hashedThrough[generation] = *last;
            if (Status s = m_db.execute("INSERT OR REPLACE INTO aq_meta(key, value) VALUES(?1, ?2)", {QString::fromLatin1(hashedThroughKey(generation)), *last},
                                        u"remember insertIds"_s);
                !s)
                return s;
        }
        if (Status s = transaction.commit(); !s)
            return s;
        m_hashedThrough[0] = hashedThrough[0];
        m_hashedThrough[1] = hashedThrough[1];
        m_logged[0].clear();
        m_logged[1].clear();
        return Ok {};
    }

    Status InsertAllWriter::hashLoggedIdsIfMany()
    {
        return unhashedIds() >= HASH_BATCH_IDS ? hashLoggedIds() : Status(Ok {});
    }

    void InsertAllWriter::forgetTable(qint64 tableId)
    {
        const std::string prefix = logKey(tableId, {});
        for (std::unordered_set<std::string> &logged : m_logged)
            std::erase_if(logged, [&](const std::string &key) { return key.starts_with(prefix); });
    }

    std::string InsertAllWriter::logKey(qint64 tableId, std::string_view insertId)
    {
        std::string key(sizeof tableId, '\0');
        std::memcpy(key.data(), &tableId, sizeof tableId);
        key.append(insertId);
        return key;
    }

    void InsertAllWriter::addLogged(int generation, std::string key)
    {
        m_loggedInTransaction.emplace_back(generation, key);
        m_logged[generation].insert(std::move(key));
    }

    void InsertAllWriter::undoLogged(qsizetype from)
    {
        for (qsizetype i = qsizetype(m_loggedInTransaction.size()) - 1; i >= from; --i)
            m_logged[m_loggedInTransaction[size_t(i)].first].erase(m_loggedInTransaction[size_t(i)].second);
        m_loggedInTransaction.resize(size_t(from));
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
        // The log's seq goes on from where it was (AUTOINCREMENT), so its hashed-through mark stays true.
        const QByteArray sql = "DELETE FROM " + hashesTable(next) + ";DELETE FROM " + logTable(next) + ";"
            "INSERT OR REPLACE INTO aq_meta(key, value) VALUES('dedup_generation', '" + QByteArray::number(next) + "'),"
            "('dedup_generation_start', '" + QByteArray::number(now) + "');";
        if (Status s = m_db.exec(sql); !s)
            return s;
        if (Status s = transaction.commit(); !s)
            return s;
        m_generation = next;
        m_generationStart = now;
        m_filters[next].clear(true);
        m_logged[next].clear();
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
        m_loggedInTransaction.clear();
        // Whatever way the transaction ends without committing, the ids it logged are not logged.
        const auto failAllAndUndo = [&](const ApiError &error) {
            undoLogged(0);
            return failAll(error);
        };
        SqliteTransaction transaction(m_db);
        if (!transaction.isActive())
            return failAll(m_db.error(u"insertAll"_s));
        const bool isolate = requests.size() > 1;
        for (const Request &request : requests) {
            const qsizetype loggedBefore = qsizetype(m_loggedInTransaction.size());
            if (isolate) {
                if (Status s = m_db.execute("SAVEPOINT aq_insert_all", {}, u"insertAll"_s); !s)
                    return failAllAndUndo(s.error());
            }
            Result<Stored> stored = storeOne(request);
            if (isolate) {
                // A failed statement may have rolled the whole transaction back (SQLite does on a full disk):
                // then the savepoint is gone, and so is every request's work.
                if (!stored) {
                    undoLogged(loggedBefore);
                    if (Status s = m_db.execute("ROLLBACK TO aq_insert_all", {}, u"insertAll"_s); !s)
                        return failAllAndUndo(stored.error());
                }
                if (Status s = m_db.execute("RELEASE aq_insert_all", {}, u"insertAll"_s); !s)
                    return failAllAndUndo(stored ? s.error() : stored.error());
            }
            results.push_back(std::move(stored));
        }
        if (!isolate && !results.front()) {
            undoLogged(0);
            return results;   // the transaction rolls back as it goes
        }
        if (Status s = transaction.commit(); !s)
            return failAllAndUndo(s.error());
        m_loggedInTransaction.clear();
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
        if (m_logged[previous].contains(logKey(tableId, insertId)))
            return true;
        return isHashed(previous, tableId, insertId);
    }

    Result<bool> InsertAllWriter::rememberIfNew(qint64 tableId, std::string_view insertId)
    {
        std::string key = logKey(tableId, insertId);
        if (m_logged[m_generation].contains(key))
            return false;
        const Result<bool> stored = isHashed(m_generation, tableId, insertId);
        if (!stored || *stored)
            return stored ? Result<bool>(false) : stored;
        Result<SqliteStatement *> append = m_db.prepare("INSERT INTO " + logTable(m_generation) + "(table_id, insert_id) VALUES(?1, ?2)");
        if (!append)
            return append.error();
        (*append)->bind(1, tableId);
        (*append)->bindStaticText(2, insertId.data(), qsizetype(insertId.size()));
        if (Result<bool> appended = stepOnce(**append); !appended)
            return appended;
        addLogged(m_generation, std::move(key));
        return true;
    }

    Result<bool> InsertAllWriter::isHashed(int generation, qint64 tableId, std::string_view insertId)
    {
        // The hash names the log rows to compare: two ids that share it cost a row read, never a wrong answer.
        Result<SqliteStatement *> lookUp = m_db.prepare("SELECT 1 FROM " + hashesTable(generation) + " AS h CROSS JOIN " + logTable(generation) +
                                                        " AS l ON l.seq=h.seq WHERE h.hash=?1 AND l.table_id=?2 AND l.insert_id=?3");
        if (!lookUp)
            return lookUp.error();
        (*lookUp)->bind(1, qint64(groupedKeyHash(view(insertId), quint64(tableId))));
        (*lookUp)->bind(2, tableId);
        (*lookUp)->bindStaticText(3, insertId.data(), qsizetype(insertId.size()));
        return stepOnce(**lookUp);
    }

    Result<bool> InsertAllWriter::stepOnce(SqliteStatement &statement)
    {
        const bool row = statement.step();
        const bool failed = statement.hasError();
        statement.reset();
        if (failed)
            return m_db.error(u"insertAll"_s);
        return row;
    }

    Status InsertAllWriter::rememberAll(qint64 tableId, const CellBatch &insertIds, const std::vector<qsizetype> &rows)
    {
        // Appended without a look-up: the filter said these ids are new, and a Bloom filter has no false negatives.
        const QByteArray head = "INSERT INTO " + logTable(m_generation) + "(table_id, insert_id)";
        const Status logged = inPieces(rows, IDS_PER_INSERT, head, 2, [&](SqliteStatement &statement, const qsizetype *piece, qsizetype n) {
            for (qsizetype r = 0; r < n; ++r) {
                const std::string_view id = insertIds.bytes(piece[r], 0);
                statement.bind(int(2 * r + 1), tableId);
                statement.bindStaticText(int(2 * r + 2), id.data(), qsizetype(id.size()));
            }
        });
        if (!logged)
            return logged;
        for (qsizetype row : rows)
            addLogged(m_generation, logKey(tableId, insertIds.bytes(row, 0)));
        return Ok {};
    }

    Status InsertAllWriter::insertRows(const QByteArray &sqliteTable, const TableSchema &schema, const CellBatch &cells, const std::vector<qsizetype> &rows)
    {
        const qsizetype columns = schema.fields.size();
        QByteArray head = "INSERT INTO " + sqliteTable + '(';
        for (qsizetype c = 0; c < columns; ++c)
            head += (c ? ", " : "") + quotedIdentifier(schema.fields[c].name);
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
