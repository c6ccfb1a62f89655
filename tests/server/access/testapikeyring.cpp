#include <optional>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include "core/server/access/apikeyring.h"

using namespace Qt::Literals::StringLiterals;
using Aq::Result;
using Aq::Server::ApiKeyRing;
using Aq::Server::ApiScope;

Q_DECLARE_METATYPE(ApiScope)
Q_DECLARE_METATYPE(std::optional<ApiScope>)

namespace
{
    const QString READ_KEY = u"readKey-0123456789abcdef"_s;
    const QString ADMIN_KEY = u"adminKey+0123456789/ABC="_s;
    const QString FILE_KEY = u"fileKey_0123456789.~-xyz"_s;
    const QString ENV_KEY_1 = u"envKeyOne-0123456789abcd"_s;
    const QString ENV_KEY_2 = u"envKeyTwo-0123456789abcd"_s;

    QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &content)
    {
        const QString path = dir.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    std::optional<ApiScope> scopeOf(const ApiKeyRing &ring, const QString &key)
    {
        return ring.scopeOf(key.toLatin1());
    }
}

class TestApiKeyRing final : public QObject
{
    Q_OBJECT

private slots:
    void testNoSourcesMeansNoKeys()
    {
        const Result<ApiKeyRing> ring = ApiKeyRing::load({}, {}, u" ,\t, "_s);
        QVERIFY(ring.hasValue());
        QVERIFY(ring->isEmpty());
        QCOMPARE(ring->size(), 0);
        QCOMPARE(ring->scopeOf("anything-at-all-0123"), std::nullopt);
        QCOMPARE(ring->scopeOf(""), std::nullopt);
    }

    void testAllSourcesAreMerged()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QByteArray content = "# keys for the staging console\r\n"
                                   "\r\n"
                                   "   read:" + FILE_KEY.toLatin1() + "   \r\n"
                                   "  # an indented comment\n"
                                   "\n";
        const QString path = writeFile(dir, u"keys.txt"_s, content);
        const Result<ApiKeyRing> ring = ApiKeyRing::load({u"read:"_s + READ_KEY, ADMIN_KEY}, path,
                                                         u"  "_s + ENV_KEY_1 + u",\n read:"_s + ENV_KEY_2 + u" ,"_s);
        QVERIFY2(ring.hasValue(), qPrintable(ring ? QString() : ring.error().message));
        QCOMPARE(ring->size(), 5);
        QCOMPARE(scopeOf(*ring, READ_KEY), ApiScope::Read);
        QCOMPARE(scopeOf(*ring, ADMIN_KEY), ApiScope::Admin);
        QCOMPARE(scopeOf(*ring, FILE_KEY), ApiScope::Read);
        QCOMPARE(scopeOf(*ring, ENV_KEY_1), ApiScope::Admin);
        QCOMPARE(scopeOf(*ring, ENV_KEY_2), ApiScope::Read);
    }

    void testScopes_data()
    {
        QTest::addColumn<QString>("entry");
        QTest::addColumn<ApiScope>("scope");
        QTest::newRow("bare key is admin") << ADMIN_KEY << ApiScope::Admin;
        QTest::newRow("admin:") << u"admin:"_s + ADMIN_KEY << ApiScope::Admin;
        QTest::newRow("read:") << u"read:"_s + ADMIN_KEY << ApiScope::Read;
        QTest::newRow("READ: in capitals") << u"READ:"_s + ADMIN_KEY << ApiScope::Read;
        QTest::newRow("space after the colon") << u"read: "_s + ADMIN_KEY << ApiScope::Read;
        QTest::newRow("16 characters") << u"read:0123456789abcdef"_s << ApiScope::Read;
        QTest::newRow("256 characters") << QString(256, u'k') << ApiScope::Admin;
    }

    void testScopes()
    {
        QFETCH(QString, entry);
        QFETCH(ApiScope, scope);
        const Result<ApiKeyRing> ring = ApiKeyRing::load({entry}, {}, {});
        QVERIFY2(ring.hasValue(), qPrintable(ring ? QString() : ring.error().message));
        QCOMPARE(ring->size(), 1);
        const QString key = entry.mid(entry.indexOf(u':') + 1).trimmed();
        QCOMPARE(scopeOf(*ring, key), scope);
    }

    void testRepeatedKeyWithOneScopeCountsOnce()
    {
        const Result<ApiKeyRing> ring = ApiKeyRing::load({u"read:"_s + READ_KEY}, {}, u"read:"_s + READ_KEY);
        QVERIFY(ring.hasValue());
        QCOMPARE(ring->size(), 1);
        QCOMPARE(scopeOf(*ring, READ_KEY), ApiScope::Read);
    }

    // Each bad entry is refused with a message that names where it came from and what is wrong, and that does not
    // contain the key (nor, for an unknown scope, the text before ':', which may be the start of a key).
    void testBadEntriesAreRefusedWithoutShowingTheKey_data()
    {
        QTest::addColumn<QStringList>("commandLine");
        QTest::addColumn<QByteArray>("fileContent");   // empty: no file
        QTest::addColumn<QString>("environment");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<QStringList>("mentions");

        const QString shortKey = u"Sh0rtSecr3t"_s;
        const QString longKey = QString(257, u'Q');
        QTest::newRow("too short on the command line")
            << QStringList {shortKey} << QByteArray() << QString() << shortKey << QStringList {u"--api-key"_s, u"11 characters"_s, u"16 to 256"_s};
        QTest::newRow("second of two flags")
            << QStringList {READ_KEY, u"read:"_s + shortKey} << QByteArray() << QString() << shortKey << QStringList {u"--api-key (2 of 2)"_s};
        QTest::newRow("too long in the environment")
            << QStringList {} << QByteArray() << READ_KEY + u","_s + longKey << longKey
            << QStringList {u"AQUEDUCT_API_KEYS entry 2"_s, u"257 characters"_s};
        QTest::newRow("space inside a key in the file")
            << QStringList {} << QByteArray("# comment\n\nadmin:Spaced0123456 Secret789\n") << QString() << u"Secret789"_s
            << QStringList {u"keys.txt, line 3"_s, u"a space"_s, u"character 14"_s};
        QTest::newRow("comma in the file")
            << QStringList {} << QByteArray("Comma0123456789x,Comma0123456789y\n") << QString() << u"Comma0123456789"_s
            << QStringList {u"line 1"_s, u"a comma"_s};
        QTest::newRow("non-ASCII in the file")
            << QStringList {} << QByteArray("read:Umlaut\xc3\xa4Secret0123456789\n") << QString() << u"Secret0123456789"_s
            << QStringList {u"line 1"_s, u"non-ASCII"_s, u"character 7"_s};
        QTest::newRow("punctuation")
            << QStringList {u"Bang!Secret0123456789"_s} << QByteArray() << QString() << u"Secret0123456789"_s
            << QStringList {u"character 5"_s, u"punctuation"_s};
        QTest::newRow("unknown scope")
            << QStringList {} << QByteArray() << READ_KEY + u" writer:"_s + ADMIN_KEY << u"writer"_s
            << QStringList {u"AQUEDUCT_API_KEYS entry 2"_s, u"not a scope"_s, u"read:KEY"_s};
        QTest::newRow("key containing a colon")
            << QStringList {u"PartOne123:PartTwo4567890123"_s} << QByteArray() << QString() << u"PartOne123"_s
            << QStringList {u"--api-key"_s, u"10 characters before ':'"_s};
        QTest::newRow("nothing after read:")
            << QStringList {u"read:"_s} << QByteArray() << QString() << u"\x01"_s << QStringList {u"--api-key"_s, u"empty"_s};
        QTest::newRow("empty flag")
            << QStringList {u"  "_s} << QByteArray() << QString() << u"\x01"_s << QStringList {u"--api-key"_s, u"empty"_s};
        QTest::newRow("one key, two scopes")
            << QStringList {} << QByteArray() << u"read:"_s + READ_KEY + u" admin:"_s + READ_KEY << READ_KEY
            << QStringList {u"AQUEDUCT_API_KEYS entry 2"_s, u"the admin scope here and the read scope in AQUEDUCT_API_KEYS entry 1"_s};
        QTest::newRow("two scopes across sources")
            << QStringList {u"read:"_s + READ_KEY} << QByteArray(READ_KEY.toLatin1() + "\n") << QString() << READ_KEY
            << QStringList {u"keys.txt, line 1"_s, u"--api-key"_s};
        QTest::newRow("a file without keys")
            << QStringList {} << QByteArray("# only a comment\n\n   \n") << QString() << u"\x01"_s
            << QStringList {u"keys.txt"_s, u"holds no keys"_s};
    }

    void testBadEntriesAreRefusedWithoutShowingTheKey()
    {
        QFETCH(QStringList, commandLine);
        QFETCH(QByteArray, fileContent);
        QFETCH(QString, environment);
        QFETCH(QString, secret);
        QFETCH(QStringList, mentions);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = fileContent.isEmpty() ? QString() : writeFile(dir, u"keys.txt"_s, fileContent);

        const Result<ApiKeyRing> ring = ApiKeyRing::load(commandLine, path, environment);
        QVERIFY(!ring.hasValue());
        const QString message = ring.error().message;
        QCOMPARE(ring.error().httpStatus, 400);
        for (const QString &mention : mentions)
            QVERIFY2(message.contains(mention), qPrintable(u"\"%1\" not in: %2"_s.arg(mention, message)));
        QVERIFY2(!message.contains(secret), qPrintable(message));
    }

    void testFileErrorsNameThePath()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString missing = dir.filePath(u"missing-keys.txt"_s);
        Result<ApiKeyRing> ring = ApiKeyRing::load({}, missing, {});
        QVERIFY(!ring.hasValue());
        QVERIFY2(ring.error().message.contains(missing) && ring.error().message.contains(u"does not exist"_s), qPrintable(ring.error().message));

        ring = ApiKeyRing::load({}, dir.path(), {});
        QVERIFY(!ring.hasValue());
        QVERIFY2(ring.error().message.contains(dir.path()) && ring.error().message.contains(u"directory"_s), qPrintable(ring.error().message));
    }

    void testUnreadableFileIsNamed()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString unreadable = writeFile(dir, u"unreadable.txt"_s, READ_KEY.toLatin1());
        QVERIFY(QFile::setPermissions(unreadable, QFileDevice::WriteOwner));
        QFile probe(unreadable);
        if (probe.open(QIODevice::ReadOnly))
            QSKIP("running as root: permissions do not stop reading");
        const Result<ApiKeyRing> ring = ApiKeyRing::load({}, unreadable, {});
        QVERIFY(!ring.hasValue());
        QVERIFY2(ring.error().message.contains(unreadable) && ring.error().message.contains(u"Cannot read"_s), qPrintable(ring.error().message));
    }

    void testByteOrderMarkIsSkipped()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = writeFile(dir, u"bom.txt"_s, "\xef\xbb\xbfread:" + READ_KEY.toLatin1() + "\n");
        const Result<ApiKeyRing> ring = ApiKeyRing::load({}, path, {});
        QVERIFY2(ring.hasValue(), qPrintable(ring ? QString() : ring.error().message));
        QCOMPARE(scopeOf(*ring, READ_KEY), ApiScope::Read);
    }

    // Only the exact key matches: keys differing in one character (first or last), prefixes, extensions and the
    // empty key all miss, whatever other keys are in the ring.
    void testLookup_data()
    {
        QTest::addColumn<QByteArray>("presented");
        QTest::addColumn<std::optional<ApiScope>>("scope");
        const QByteArray admin = ADMIN_KEY.toLatin1();
        const QByteArray read = READ_KEY.toLatin1();
        QByteArray lastChanged = admin;
        lastChanged.back() = 'X';
        QByteArray firstChanged = admin;
        firstChanged.front() = 'b';
        QTest::newRow("admin key") << admin << std::optional<ApiScope>(ApiScope::Admin);
        QTest::newRow("read key") << read << std::optional<ApiScope>(ApiScope::Read);
        QTest::newRow("same length, last differs") << lastChanged << std::optional<ApiScope>();
        QTest::newRow("same length, first differs") << firstChanged << std::optional<ApiScope>();
        QTest::newRow("prefix") << admin.first(admin.size() - 1) << std::optional<ApiScope>();
        QTest::newRow("half") << admin.first(admin.size() / 2) << std::optional<ApiScope>();
        QTest::newRow("extended") << admin + 'x' << std::optional<ApiScope>();
        QTest::newRow("with the scope") << "admin:" + admin << std::optional<ApiScope>();
        QTest::newRow("empty") << QByteArray() << std::optional<ApiScope>();
    }

    void testLookup()
    {
        QFETCH(QByteArray, presented);
        QFETCH(std::optional<ApiScope>, scope);
        const Result<ApiKeyRing> ring = ApiKeyRing::load({u"read:"_s + READ_KEY, ADMIN_KEY, FILE_KEY, ENV_KEY_1}, {}, {});
        QVERIFY(ring.hasValue());
        QCOMPARE(ring->scopeOf(presented), scope);
    }
};

QTEST_APPLESS_MAIN(TestApiKeyRing)
#include "testapikeyring.moc"
