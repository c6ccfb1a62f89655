#include <QTemporaryDir>
#include <QTest>

#include "core/localcloud/insertallwriter.h"
#include "core/localcloud/localstore.h"
#include "core/localcloud/sql/keyhash.h"
#include "olderstores.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::LocalCloud;
using Aq::BigQuery::TableSchema;

namespace
{
    TableSchema schema()
    {
        Aq::Result<TableSchema> parsed = TableSchema::fromJson(QJsonValue(QJsonArray {
            QJsonObject {{u"name"_s, u"id"_s}, {u"type"_s, u"STRING"_s}},
            QJsonObject {{u"name"_s, u"n"_s}, {u"type"_s, u"INT64"_s}},
        }));
        return *parsed;
    }

    // {"rows":[{"insertId":"<id>","json":{"id":"<id>","n":<i>}}, ...]}; an empty id means no insertId
    QByteArray body(const QList<QByteArray> &ids)
    {
        QByteArray out = "{\"rows\":[";
        for (qsizetype i = 0; i < ids.size(); ++i) {
            out += (i ? "," : "") + QByteArray("{");
            if (!ids[i].isEmpty())
                out += "\"insertId\":\"" + ids[i] + "\",";
            out += "\"json\":{\"id\":\"" + ids[i] + "\",\"n\":" + QByteArray::number(i) + "}}";
        }
        return out + "]}";
    }

    QList<QByteArray> numbered(const QByteArray &prefix, int first, int count)
    {
        QList<QByteArray> ids;
        for (int i = first; i < first + count; ++i)
            ids.append(prefix + QByteArray::number(i));
        return ids;
    }
}

class TestInsertAllWriter final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<SqliteDatabase> m_db;
    std::unique_ptr<InsertAllWriter> m_writer;

    void open(qint64 windowMicros = 10LL * 60 * 1000000)
    {
        m_writer.reset();
        m_db = std::make_unique<SqliteDatabase>();
        QVERIFY(LocalStore::open(*m_db, m_dir.path(), Durability::Process).hasValue());
        QVERIFY(m_db->exec("CREATE TABLE IF NOT EXISTS bq_t1(_aq_seq INTEGER PRIMARY KEY, id TEXT, n INTEGER);").hasValue());
        m_writer = std::make_unique<InsertAllWriter>(*m_db, windowMicros);
        const Aq::Status loaded = m_writer->load();
        QVERIFY2(loaded.hasValue(), qPrintable(loaded ? QString() : loaded.error().message));
    }

    qint64 count(const QByteArray &sql)
    {
        auto statement = m_db->prepare(sql);
        if (!statement || !(*statement)->step())
            return -1;
        const qint64 n = (*statement)->int64(0);
        (*statement)->reset();
        return n;
    }

    // Ids remembered in either generation, whether hashed yet or not: the logs hold them all.
    qint64 remembered(const QByteArray &where = "1")
    {
        return count("SELECT COUNT(*) FROM bq_insert_id_log_0 WHERE " + where) + count("SELECT COUNT(*) FROM bq_insert_id_log_1 WHERE " + where);
    }

    qint64 hashed() { return count("SELECT COUNT(*) FROM bq_insert_id_hashes_0") + count("SELECT COUNT(*) FROM bq_insert_id_hashes_1"); }

    std::vector<Aq::Result<InsertAllWriter::Stored>> store(const QList<QByteArray> &bodies, const QList<QByteArray> &tables = {})
    {
        const TableSchema s = schema();
        std::vector<RowCodec::DecodedInsert> decoded;
        for (const QByteArray &b : bodies)
            decoded.push_back(*RowCodec::decodeInsertAll(s, b, 50000));
        std::vector<InsertAllWriter::Request> requests;
        for (size_t i = 0; i < decoded.size(); ++i)
            requests.push_back({1, tables.isEmpty() ? QByteArray("bq_t1") : tables[qsizetype(i)], &s, &decoded[i]});
        return m_writer->store(requests);
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        open();
        QVERIFY(m_db->exec("DELETE FROM bq_t1; DELETE FROM bq_insert_id_hashes_0; DELETE FROM bq_insert_id_hashes_1;"
                           "DELETE FROM bq_insert_id_log_0; DELETE FROM bq_insert_id_log_1;")
                    .hasValue());
    }

    void testRepeatedIdsInOneRequestAreStoredOnce()
    {
        // many ids new to the filter (remembered many to a statement) around a few it has seen: the repeats must
        // find the ids before them in SQLite, whichever path those took
        QList<QByteArray> ids = numbered("evt-", 0, 300);
        ids[200] = ids[5];
        ids[250] = ids[199];
        ids[251] = ids[250];
        ids[299] = QByteArray();   // no insertId: never de-duplicated
        ids[298] = QByteArray();
        const auto stored = store({body(ids)});
        QVERIFY(stored.front().hasValue());
        QCOMPARE(stored.front()->rows, 300 - 3);
        QCOMPARE(count("SELECT COUNT(*) FROM bq_t1"), 297);
        QCOMPARE(remembered(), 295);
        // the rows keep the request's order
        QCOMPARE(count("SELECT COUNT(*) FROM (SELECT n, LAG(n) OVER (ORDER BY _aq_seq) AS previous FROM bq_t1) WHERE n < previous"), 0);
    }

    void testRequestsStoredTogetherSeeEachOthersIds()
    {
        const auto stored = store({body(numbered("a-", 0, 100)), body(numbered("a-", 50, 100)), body(numbered("a-", 0, 10))});
        QCOMPARE(stored.size(), size_t(3));
        QCOMPARE(stored[0]->rows, 100);
        QCOMPARE(stored[1]->rows, 50);
        QCOMPARE(stored[2]->rows, 0);
        QCOMPARE(count("SELECT COUNT(DISTINCT id) FROM bq_t1"), 150);
        QCOMPARE(count("SELECT COUNT(*) FROM bq_t1"), 150);
    }

    void testOneFailingRequestLeavesTheOthersOfItsGroup()
    {
        // the second names a table that does not exist: its statements fail, its savepoint is rolled back,
        // and its ids are not remembered, so it can be sent again
        const auto stored = store({body(numbered("b-", 0, 20)), body(numbered("c-", 0, 20)), body(numbered("d-", 0, 20))},
                                  {"bq_t1", "bq_missing", "bq_t1"});
        QVERIFY(stored[0].hasValue());
        QVERIFY(!stored[1].hasValue());
        QVERIFY(stored[2].hasValue());
        QCOMPARE(count("SELECT COUNT(*) FROM bq_t1"), 40);
        QCOMPARE(remembered("insert_id LIKE 'c-%'"), 0);
        const auto again = store({body(numbered("c-", 0, 20))});
        QCOMPARE(again.front()->rows, 20);
        QCOMPARE(count("SELECT COUNT(*) FROM bq_t1"), 60);
    }

    void testAFailingRequestAloneStoresNothing()
    {
        const auto stored = store({body(numbered("e-", 0, 5))}, {"bq_missing"});
        QVERIFY(!stored.front().hasValue());
        QCOMPARE(remembered(), 0);
        QCOMPARE(m_writer->unhashedIds(), 0);
        QCOMPARE(store({body(numbered("e-", 0, 5))}).front()->rows, 5);
    }

    void testIdsAreRememberedAcrossARestart()
    {
        QCOMPARE(store({body(numbered("f-", 0, 100))}).front()->rows, 100);
        // after a restart the filters know nothing: every id goes to SQLite
        open();
        QCOMPARE(store({body(numbered("f-", 90, 20))}).front()->rows, 10);
        QCOMPARE(store({body(numbered("f-", 0, 110))}).front()->rows, 0);
        QCOMPARE(count("SELECT COUNT(*) FROM bq_t1"), 110);
    }

    void testIdsAreFoundBeforeAndAfterTheyAreHashed()
    {
        // certainly-new ids go to the log in bulk; one the filter may have seen is looked up in the log's set
        QCOMPARE(store({body(numbered("h-", 0, 100))}).front()->rows, 100);
        QCOMPARE(m_writer->unhashedIds(), 100);
        QCOMPARE(hashed(), 0);
        QCOMPARE(store({body(numbered("h-", 50, 100))}).front()->rows, 50);
        QVERIFY(m_writer->hashLoggedIds().hasValue());
        QCOMPARE(m_writer->unhashedIds(), 0);
        QCOMPARE(hashed(), 150);
        QCOMPARE(remembered(), 150);
        // now only the hashes find them
        QCOMPARE(store({body(numbered("h-", 0, 160))}).front()->rows, 10);
        QCOMPARE(count("SELECT COUNT(*) FROM bq_t1"), 160);
        // and the next batch hashes only what came since
        QVERIFY(m_writer->hashLoggedIds().hasValue());
        QCOMPARE(hashed(), 160);
        QCOMPARE(count("SELECT COUNT(*) FROM bq_insert_id_hashes_0 AS h JOIN bq_insert_id_log_0 AS l USING(seq) WHERE h.hash != aq_grouped_key_hash(l.insert_id, l.table_id)"), 0);
    }

    void testIdsNotHashedYetSurviveARestart()
    {
        QCOMPARE(store({body(numbered("k-", 0, 40))}).front()->rows, 40);
        QCOMPARE(hashed(), 0);
        open();   // as after kill -9: the log is what was committed
        QCOMPARE(hashed(), 40);
        QCOMPARE(remembered(), 40);
        QCOMPARE(store({body(numbered("k-", 0, 50))}).front()->rows, 10);
    }

    void testTwoIdsOfOneHashAreTwoIds()
    {
        // p-2's hash planted to name p-1's log row: a look-up of p-2 finds that row, compares, and stores p-2
        QCOMPARE(store({body({"p-1"})}).front()->rows, 1);
        QVERIFY(m_writer->hashLoggedIds().hasValue());
        const quint64 hashOfP2 = groupedKeyHash("p-2", 1);
        for (const QByteArray generation : {"0", "1"}) {
            QVERIFY(m_db->execute("INSERT INTO bq_insert_id_hashes_" + generation + "(hash, seq) SELECT ?1, seq FROM bq_insert_id_log_" + generation + " WHERE insert_id='p-1'",
                                  {qint64(hashOfP2)}, u"plant a hash"_s)
                        .hasValue());
        }
        open();   // the filters know nothing now: every id is looked up
        QCOMPARE(store({body({"p-2", "p-1"})}).front()->rows, 1);
        QCOMPARE(count("SELECT COUNT(*) FROM bq_t1 WHERE id='p-2'"), 1);
        open();
        QCOMPARE(store({body({"p-2"})}).front()->rows, 0);
    }

    void testGenerationsAreForgottenWholeAndTheirLogsNumberedOn()
    {
        open(0);   // a window of zero: every rotateIfDue starts the next generation
        QCOMPARE(store({body(numbered("r-", 0, 20))}).front()->rows, 20);
        QVERIFY(m_writer->hashLoggedIds().hasValue());
        QVERIFY(m_writer->rotateIfDue().hasValue());
        // the previous generation still answers, from its hashes and from the log's set
        QCOMPARE(store({body(numbered("r-", 10, 20))}).front()->rows, 10);
        QCOMPARE(store({body(numbered("r-", 25, 10))}).front()->rows, 5);
        QVERIFY(m_writer->rotateIfDue().hasValue());
        // r-0..19 were in the generation now forgotten: stored again; r-20..34 are still remembered
        QCOMPARE(store({body(numbered("r-", 0, 35))}).front()->rows, 20);
        QCOMPARE(remembered("insert_id LIKE 'r-%'"), 35);
        // the log rows of the new generation come after all earlier ones, so the restart hashes them
        open(0);
        QCOMPARE(hashed(), 35);
        QCOMPARE(store({body(numbered("r-", 0, 35))}).front()->rows, 0);
    }

    void testAVersionFiveStoreKeepsItsIds()
    {
        // version 5 kept each generation's ids in a tree of ids, and those not moved there yet in one log
        m_writer.reset();
        m_db.reset();
        {
            SqliteDatabase db;
            QVERIFY(db.open(LocalStore::databasePath(m_dir.path()), SqliteDatabase::OpenMode::ReadWrite).hasValue());
            QVERIFY(db.exec(QByteArray(INSERT_IDS_OF_VERSION_5) +
                            "INSERT INTO bq_insert_ids_0 VALUES(1, 'v-1'), (1, 'v-2');"
                            "INSERT INTO bq_insert_ids_1 VALUES(1, 'v-3');"
                            "INSERT INTO bq_insert_id_log(generation, table_id, insert_id) VALUES(0, 1, 'v-2'), (0, 1, 'v-4'), (1, 1, 'v-5');"
                            "PRAGMA user_version=5;")
                        .hasValue());
        }
        open();
        QCOMPARE(count("PRAGMA user_version"), LocalStore::SCHEMA_VERSION);
        QCOMPARE(count("SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('bq_insert_ids_0', 'bq_insert_ids_1', 'bq_insert_id_log')"), 0);
        QCOMPARE(remembered(), 5);
        QCOMPARE(hashed(), 5);
        QCOMPARE(store({body(numbered("v-", 0, 7))}).front()->rows, 2);   // v-0 and v-6
    }

    void testAForgottenTableForgetsItsLoggedIds()
    {
        QCOMPARE(store({body(numbered("m-", 0, 30))}).front()->rows, 30);
        QVERIFY(m_db->exec("DELETE FROM bq_insert_id_log_0 WHERE table_id=1; DELETE FROM bq_insert_id_log_1 WHERE table_id=1; DELETE FROM bq_t1;").hasValue());
        m_writer->forgetTable(1);
        QCOMPARE(m_writer->unhashedIds(), 0);
        // a table of the same id again (ids are not reused, but the writer must not care): the rows are new
        QCOMPARE(store({body(numbered("m-", 0, 30))}).front()->rows, 30);
    }

    void testInvalidRowsStopTheRequestWithoutTouchingTheStore()
    {
        const QByteArray bad = R"({"rows":[{"insertId":"g-1","json":{"id":"g-1","n":1}},{"insertId":"g-2","json":{"n":"not a number"}}]})";
        const auto stored = store({bad, body(numbered("g-", 1, 1))});
        QVERIFY(stored[0].hasValue());
        QCOMPARE(stored[0]->rows, 0);
        QVERIFY(stored[0]->reply.contains("\"stopped\""));
        QCOMPARE(stored[1]->rows, 1);   // g-1 was not remembered by the stopped request
    }
};

QTEST_GUILESS_MAIN(TestInsertAllWriter)
#include "testinsertallwriter.moc"
