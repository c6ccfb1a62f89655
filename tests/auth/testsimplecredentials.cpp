#include <QTest>

#include "core/auth/bearerkeycredentials.h"
#include "core/auth/nocredentials.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;
using namespace Aq::Auth;

namespace
{
    // Both answer at once, inside headersFor.
    Result<AuthorizationHeaders> headersOf(Credentials &credentials)
    {
        std::optional<Result<AuthorizationHeaders>> result;
        credentials.headersFor(QUrl(u"http://127.0.0.1:8080"_s), [&result](Result<AuthorizationHeaders> headers) { result = std::move(headers); });
        return result.value_or(ApiError::internal(u"no synchronous answer"_s));
    }
}

class TestSimpleCredentials final : public QObject
{
    Q_OBJECT

private slots:
    void testNoCredentials()
    {
        NoCredentials credentials;
        const Result<AuthorizationHeaders> headers = headersOf(credentials);
        QVERIFY(headers);
        QVERIFY(headers->authorization.isEmpty());
        QVERIFY(headers->userProject.isEmpty());
        QCOMPARE(credentials.description(), u"no credentials"_s);
        QVERIFY(credentials.projectId().isEmpty());
    }

    void testBearerKey()
    {
        BearerKeyCredentials credentials("aq_live_5ecret-key\n", u"AQUEDUCT_API_KEY"_s);
        const Result<AuthorizationHeaders> headers = headersOf(credentials);
        QVERIFY(headers);
        QCOMPARE(headers->authorization, "Bearer aq_live_5ecret-key");
        QCOMPARE(credentials.description(), u"API key from AQUEDUCT_API_KEY"_s);
        QVERIFY(!credentials.description().contains(u"5ecret"_s));
        QCOMPARE(BearerKeyCredentials("k").description(), u"API key"_s);
    }

    void testBadBearerKeys()
    {
        BearerKeyCredentials empty("  ");
        QVERIFY(!headersOf(empty));
        QCOMPARE(headersOf(empty).error().status, u"UNAUTHENTICATED"_s);
        BearerKeyCredentials injected("key\r\nX-Other: 1");
        const Result<AuthorizationHeaders> headers = headersOf(injected);
        QVERIFY(!headers);
        QVERIFY(!headers.error().message.contains(u"key\r"_s));
    }
};

QTEST_APPLESS_MAIN(TestSimpleCredentials)
#include "testsimplecredentials.moc"
