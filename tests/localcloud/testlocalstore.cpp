#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include "core/localcloud/datafolderlock.h"
#include "core/localcloud/localstore.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq::LocalCloud;

class TestLocalStore final : public QObject
{
    Q_OBJECT

private slots:
    void testNewStoreIsAtTheCurrentVersionInWalMode()
    {
        QTemporaryDir dir;
        SqliteDatabase db;
        QVERIFY(LocalStore::open(db, dir.path(), Durability::Process).hasValue());
        auto version = db.prepare("PRAGMA user_version");
        QVERIFY((*version)->step());
        QCOMPARE(int((*version)->int64(0)), LocalStore::SCHEMA_VERSION);
        (*version)->reset();
        auto mode = db.prepare("PRAGMA journal_mode");
        QVERIFY((*mode)->step());
        QCOMPARE((*mode)->text(0), u"wal"_s);
        (*mode)->reset();
        // reopening an existing store is a no-op migration
        db.close();
        QVERIFY(LocalStore::open(db, dir.path(), Durability::Full).hasValue());
    }

    void testNewerStoreIsRefusedWithAClearMessage()
    {
        QTemporaryDir dir;
        {
            SqliteDatabase db;
            QVERIFY(LocalStore::open(db, dir.path(), Durability::Process).hasValue());
            QVERIFY(db.exec("PRAGMA user_version=99").hasValue());
        }
        SqliteDatabase db;
        const Aq::Status status = LocalStore::open(db, dir.path(), Durability::Process);
        QVERIFY(!status.hasValue());
        QVERIFY2(status.error().message.contains(u"newer Aqueduct"_s), qPrintable(status.error().message));
    }

    void testOneOwnerPerDataFolder()
    {
        QTemporaryDir dir;
        auto first = DataFolderLock::acquire(dir.path());
        QVERIFY(first.hasValue());
        QVERIFY((*first)->setEndpoint(QUrl(u"http://127.0.0.1:12345"_s)).hasValue());
        const std::optional<DataFolderLock::Owner> owner = DataFolderLock::owner(dir.path());
        QVERIFY(owner.has_value());
        QCOMPARE(owner->pid, QCoreApplication::applicationPid());
        QCOMPARE(owner->endpoint, QUrl(u"http://127.0.0.1:12345"_s));
        auto second = DataFolderLock::acquire(dir.path());
        QVERIFY(!second.hasValue());
        QVERIFY2(second.error().message.contains(u"http://127.0.0.1:12345"_s), qPrintable(second.error().message));
        QVERIFY(second.error().message.contains(QString::number(QCoreApplication::applicationPid())));
        first.value().reset();
        QVERIFY(!DataFolderLock::owner(dir.path()).has_value());
        QVERIFY(DataFolderLock::acquire(dir.path()).hasValue());
    }
};

QTEST_GUILESS_MAIN(TestLocalStore)
#include "testlocalstore.moc"
