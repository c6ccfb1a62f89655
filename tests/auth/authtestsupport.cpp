#include "authtestsupport.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QTcpServer>
#include <QTest>
#include <QTimer>

#include "core/server/http/httpresponder.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth::Test
{
    namespace
    {
        using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

        QByteArray readAll(BIO *bio)
        {
            char *data = nullptr;
            const long size = BIO_get_mem_data(bio, &data);
            return QByteArray(data, size);
        }

        QMutex g_logMutex;
        QStringList g_logMessages;
        QtMessageHandler g_previousHandler = nullptr;

        void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
        {
            {
                QMutexLocker locker(&g_logMutex);
                g_logMessages.append(message);
            }
            if (g_previousHandler)
                g_previousHandler(type, context, message);
        }
    }

    TestRsaKey TestRsaKey::generate(int bits)
    {
        TestRsaKey key;
        EVP_PKEY *generated = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(bits));
        Q_ASSERT(generated);
        key.m_private.reset(generated, &EVP_PKEY_free);

        Bio out {BIO_new(BIO_s_mem()), &BIO_free};
        PEM_write_bio_PUBKEY(out.get(), generated);
        const QByteArray publicPem = readAll(out.get());
        Bio in {BIO_new_mem_buf(publicPem.constData(), int(publicPem.size())), &BIO_free};
        key.m_public.reset(PEM_read_bio_PUBKEY(in.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
        Q_ASSERT(key.m_public);
        return key;
    }

    QByteArray TestRsaKey::privatePem() const
    {
        Bio out {BIO_new(BIO_s_mem()), &BIO_free};
        PEM_write_bio_PrivateKey(out.get(), m_private.get(), nullptr, nullptr, 0, nullptr, nullptr);
        return readAll(out.get());
    }

    bool TestRsaKey::verifySha256(QByteArrayView data, QByteArrayView signature) const
    {
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context {EVP_MD_CTX_new(), &EVP_MD_CTX_free};
        return EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, m_public.get()) == 1
            && EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char *>(signature.data()), size_t(signature.size()),
                                reinterpret_cast<const unsigned char *>(data.data()), size_t(data.size()))
            == 1;
    }

    VerifiedJwt verifyJwt(const QByteArray &jwt, const TestRsaKey &key)
    {
        VerifiedJwt result;
        const QList<QByteArray> parts = jwt.split('.');
        if (parts.size() != 3) {
            result.problems << u"not three parts"_s;
            return result;
        }
        const auto decode = [&](const QByteArray &part, const QString &name) {
            if (part.contains('=') || part.contains('+') || part.contains('/'))
                result.problems << name + u" is not unpadded base64url"_s;
            return QByteArray::fromBase64(part, QByteArray::Base64UrlEncoding);
        };
        result.header = QJsonDocument::fromJson(decode(parts[0], u"header"_s)).object();
        result.claims = QJsonDocument::fromJson(decode(parts[1], u"claims"_s)).object();
        const QByteArray signature = decode(parts[2], u"signature"_s);
        if (result.header.isEmpty() || result.claims.isEmpty())
            result.problems << u"header or claims are not JSON objects"_s;
        if (!key.verifySha256(QByteArray(parts[0] + '.' + parts[1]), signature))
            result.problems << u"the RS256 signature does not verify with the public key"_s;
        return result;
    }

    QByteArray pemOfEcKey()
    {
        std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key {EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free};
        Bio out {BIO_new(BIO_s_mem()), &BIO_free};
        PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
        return readAll(out.get());
    }

    QJsonObject serviceAccountJson(const TestRsaKey &key, const QUrl &tokenUri)
    {
        return QJsonObject {
            {u"type"_s, u"service_account"_s},
            {u"project_id"_s, u"test-project"_s},
            {u"private_key_id"_s, u"0123456789abcdef0123456789abcdef01234567"_s},
            {u"private_key"_s, QString::fromLatin1(key.privatePem())},
            {u"client_email"_s, u"ingest@test-project.iam.gserviceaccount.com"_s},
            {u"client_id"_s, u"113258942105700140798"_s},
            {u"auth_uri"_s, u"https://accounts.google.com/o/oauth2/auth"_s},
            {u"token_uri"_s, tokenUri.toString()},
            {u"universe_domain"_s, u"googleapis.com"_s},
        };
    }

    QString writeJson(const QString &path, const QJsonObject &json)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(path));
        file.write(QJsonDocument(json).toJson());
        return path;
    }

    struct FakeEndpoint::State
    {
        QObject context;
        Server::HttpServer server;
        Handler handler;
        int delayMs = 0;
        bool silent = false;
        QList<Server::HttpRequest> requests;
        QList<Server::HttpResponder> waiting;
        QStringList problems;
    };

    FakeEndpoint::FakeEndpoint()
        : m_state {std::make_unique<State>()}
    {
        m_state->handler = [](const Server::HttpRequest &) { return tokenResponse("unset"); };
        m_state->server.setHandler([state = m_state.get()](const Server::HttpRequest &request, Server::HttpResponder responder) {
            state->requests.append(request);
            if (state->silent) {
                state->waiting.append(responder);
                return;
            }
            Server::HttpResponse response = state->handler(request);
            if (state->delayMs <= 0) {
                responder.send(response);
                return;
            }
            QTimer::singleShot(state->delayMs, &state->context, [responder, response] { responder.send(response); });
        });
        if (!m_state->server.listen(QHostAddress::LocalHost, 0))
            qFatal("fake endpoint cannot listen: %s", qPrintable(m_state->server.errorString()));
    }

    FakeEndpoint::~FakeEndpoint() = default;

    QUrl FakeEndpoint::url(const QString &path) const
    {
        return QUrl(u"http://"_s + hostAndPort() + path);
    }

    QString FakeEndpoint::hostAndPort() const
    {
        return u"127.0.0.1:%1"_s.arg(m_state->server.serverPort());
    }

    void FakeEndpoint::setHandler(Handler handler)
    {
        m_state->handler = std::move(handler);
    }

    void FakeEndpoint::setDelay(int milliseconds)
    {
        m_state->delayMs = milliseconds;
    }

    void FakeEndpoint::setSilent(bool silent)
    {
        m_state->silent = silent;
    }

    int FakeEndpoint::hits() const
    {
        return int(m_state->requests.size());
    }

    QList<Server::HttpRequest> FakeEndpoint::requests() const
    {
        return m_state->requests;
    }

    Server::HttpResponse FakeEndpoint::refuse(const QString &problem)
    {
        m_state->problems.append(problem);
        return oauthError(400, u"invalid_request"_s, problem);
    }

    QStringList FakeEndpoint::problems() const
    {
        return m_state->problems;
    }

    void FakeEndpoint::reset()
    {
        m_state->requests.clear();
        m_state->problems.clear();
        m_state->waiting.clear();
        m_state->delayMs = 0;
        m_state->silent = false;
    }

    Server::HttpResponse FakeEndpoint::tokenResponse(const QByteArray &token, int expiresIn)
    {
        const QJsonObject body {{u"access_token"_s, QString::fromLatin1(token)}, {u"expires_in"_s, expiresIn}, {u"token_type"_s, u"Bearer"_s}};
        return Server::HttpResponse::json(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    Server::HttpResponse FakeEndpoint::oauthError(int status, const QString &error, const QString &description)
    {
        const QJsonObject body {{u"error"_s, error}, {u"error_description"_s, description}};
        return Server::HttpResponse::json(status, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    quint16 closedPort()
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        const quint16 port = server.serverPort();
        server.close();
        return port;
    }

    LogCapture::LogCapture()
    {
        QLoggingCategory::setFilterRules(u"aq.auth.debug=true"_s);
        g_previousHandler = qInstallMessageHandler(&captureMessage);
    }

    LogCapture::~LogCapture()
    {
        qInstallMessageHandler(g_previousHandler);
    }

    QStringList LogCapture::messages()
    {
        QMutexLocker locker(&g_logMutex);
        return g_logMessages;
    }

    std::optional<Result<AuthorizationHeaders>> headersOf(Credentials &credentials, const QUrl &serviceUrl)
    {
        std::optional<Result<AuthorizationHeaders>> result;
        credentials.headersFor(serviceUrl, [&result](Result<AuthorizationHeaders> headers) { result = std::move(headers); });
        (void)QTest::qWaitFor([&result] { return result.has_value(); }, 15000);
        return result;
    }

    QByteArray authorizationOf(Credentials &credentials, const QUrl &serviceUrl)
    {
        const auto headers = headersOf(credentials, serviceUrl);
        if (!headers || !*headers)
            return "error: " + messageOf(headers).toUtf8();
        return (*headers)->authorization;
    }

    QString textWithSecret(const QStringList &texts, const QList<QByteArray> &secrets)
    {
        for (const QString &text : texts) {
            const QByteArray utf8 = text.toUtf8();
            if (utf8.contains("PRIVATE KEY"))
                return text;
            for (const QByteArray &secret : secrets) {
                if (!secret.isEmpty() && utf8.contains(secret))
                    return text;
            }
        }
        return {};
    }
}
