// GET /data streams in constant memory: a slow client reading a large table must not make the server hold the
// table. The row count is AQ_DATA_STREAM_ROWS (default 1,000,000, about 210 MB of ndjson); bench/ has the 10 million
// row run.
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include "tests/support/servertestprocess.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    qint64 residentBytes(qint64 pid)
    {
        QFile status(u"/proc/%1/status"_s.arg(pid));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
        }
        return -1;
    }

    int rowsToStream()
    {
        const int configured = qEnvironmentVariableIntValue("AQ_DATA_STREAM_ROWS");
        return configured > 0 ? configured : 1'000'000;
    }
}

class TestDataStream final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    ServerTestProcess m_server;
    QNetworkAccessManager m_network;

    int post(const QString &path, const QByteArray &body, QByteArray *answer = nullptr)
    {
        QNetworkRequest request(m_server.endpoint().resolved(QUrl(path)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
        QNetworkReply *reply = m_network.post(request, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        if (answer)
            *answer = reply->readAll();
        reply->deleteLater();
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

    int getStatus(const QString &path)
    {
        QNetworkReply *reply = m_network.get(QNetworkRequest(m_server.endpoint().resolved(QUrl(path))));
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        reply->deleteLater();
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.start(m_dir.path(), {}, ServerTestProcess::WithIngest));
        QElapsedTimer ready;
        ready.start();
        while (getStatus(u"/readyz"_s) != 200 && ready.elapsed() < 30000)
            QTest::qWait(200);
        QCOMPARE(getStatus(u"/readyz"_s), 200);

        // Straight into the table through the local cloud's insertAll, 20,000 rows a request.
        const int total = rowsToStream();
        const QByteArray padding(120, 'x');
        for (int start = 0; start < total; start += 20'000) {
            QByteArray body = "{\"skipInvalidRows\":false,\"rows\":[";
            for (int i = start; i < qMin(total, start + 20'000); ++i) {
                if (i > start)
                    body += ',';
                const QByteArray id = "r" + QByteArray::number(i);
                body += "{\"insertId\":\"" + id + "\",\"json\":{\"event_id\":\"" + id + "\",\"event_type\":\"load\",\"timestamp\":\"" +
                        QByteArray::number(1714564800 + i) + "\",\"event_data\":{\"i\":" + QByteArray::number(i) + ",\"pad\":\"" + padding + "\"}}}";
            }
            body += "]}";
            QByteArray answer;
            QCOMPARE(post(u"/bigquery/v2/projects/aqueduct-local/datasets/analytics/tables/events/insertAll"_s, body, &answer), 200);
            QVERIFY2(!answer.contains("insertErrors"), answer.left(500).constData());
        }
    }

    void slowClientDoesNotGrowTheServer()
    {
        const qint64 pid = m_server.process().processId();
        const qint64 before = residentBytes(pid);
        QVERIFY(before > 0);

        QTcpSocket socket;
        socket.setReadBufferSize(64 * 1024);   // the rest stays in the kernel, and TCP pushes back
        socket.connectToHost(m_server.endpoint().host(), quint16(m_server.endpoint().port()));
        QVERIFY(socket.waitForConnected(10000));
        socket.write("GET /data?format=ndjson HTTP/1.1\r\nHost: test\r\n\r\n");

        qint64 received = 0;
        qint64 rows = 0;
        qint64 peak = before;
        QByteArray tail;
        QElapsedTimer timer;
        timer.start();
        bool ended = false;
        while (!ended && timer.elapsed() < 240000) {
            if (!socket.waitForReadyRead(10000) && socket.bytesAvailable() == 0)
                break;
            const QByteArray bytes = socket.read(64 * 1024);
            received += bytes.size();
            // Every row ends "}\n", and chunks hold whole rows, so the framing never splits that pair.
            const QByteArray window = tail + bytes;
            rows += window.count("}\n") - tail.count("}\n");
            tail = window.right(16);
            ended = tail.endsWith("\r\n0\r\n\r\n");
            // A slow reader: a few milliseconds per 64 KB, far slower than the server can produce.
            QTest::qSleep(2);
            if ((received / (64 * 1024)) % 16 == 0)
                peak = qMax(peak, residentBytes(pid));
        }
        QVERIFY2(ended, qPrintable(u"the stream did not end: %1 bytes in %2 ms; the server said: %3"_s.arg(received).arg(timer.elapsed()).arg(QString::fromUtf8(m_server.stderrText().right(2000)))));
        const int total = rowsToStream();
        QCOMPARE(rows, qint64(total));
        const qint64 growth = peak - before;
        qInfo("streamed %lld bytes (%d rows) in %lld ms; server RSS %lld MB before, peak %lld MB", received, total, timer.elapsed(), before >> 20, peak >> 20);
        // Buffering the answer would cost at least its size; streaming costs a few pages, plus what SQLite's page
        // caches (32 MB per reader) fill up to.
        QVERIFY2(growth < qMin<qint64>(received / 2, 128LL << 20),
                 qPrintable(u"the server grew by %1 MB while streaming %2 MB"_s.arg(growth >> 20).arg(received >> 20)));
    }
};

QTEST_MAIN(TestDataStream)
#include "testdatastream.moc"
