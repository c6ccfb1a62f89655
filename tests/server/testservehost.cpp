// ServeHost's drain, as SIGTERM starts it in `serve` and closing the window in the console: /readyz turns 503 at
// once, the pipeline stops, the listener closes, connections already open are still answered, then finished().
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include "core/server/api/servestate.h"
#include "core/server/servehost.h"

using namespace Qt::Literals::StringLiterals;
using namespace Aq;

namespace
{
    QByteArray exchange(QTcpSocket &socket, const QByteArray &request)
    {
        socket.write(request);
        QByteArray answer;
        QElapsedTimer timer;
        timer.start();
        while (!answer.contains("\r\n\r\n") && timer.elapsed() < 10000) {
            socket.waitForReadyRead(200);
            answer += socket.readAll();
        }
        return answer;
    }
}

class TestServeHost final : public QObject
{
    Q_OBJECT

private slots:
    void drainTurnsReadinessOffThenFinishes()
    {
        QTemporaryDir dir;
        Result<Server::ServeOptions> options =
            Server::parseServeOptions({u"aqueduct"_s, u"serve"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, dir.path()});
        QVERIFY(options);
        Server::ServeHost host(*options);
        QSignalSpy started(&host, &Server::ServeHost::pipelineStarted);
        QVERIFY(!host.start());
        QVERIFY(started.wait(30000));
        QTRY_VERIFY_WITH_TIMEOUT(host.state()->isReady(), 20000);

        QTcpSocket socket;
        socket.connectToHost(host.endpoint().host(), quint16(host.endpoint().port()));
        QVERIFY(socket.waitForConnected(5000));
        QVERIFY(exchange(socket, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 200"));

        QSignalSpy finished(&host, &Server::ServeHost::finished);
        host.drain();
        QVERIFY(!host.state()->isReady());
        const QByteArray draining = exchange(socket, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY2(draining.startsWith("HTTP/1.1 503"), draining.constData());
        QVERIFY(draining.contains("\"draining\":true"));
        QVERIFY(finished.wait(15000));
        QVERIFY(!host.state()->isPipelineRunning());

        // The listener is closed: new connections are refused.
        QTcpSocket late;
        late.connectToHost(host.endpoint().host(), quint16(host.endpoint().port()));
        QVERIFY(!late.waitForConnected(2000) || !late.waitForReadyRead(500));
    }
};

QTEST_MAIN(TestServeHost)
#include "testservehost.moc"
