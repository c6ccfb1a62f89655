#pragma once

#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>
#include <QUrl>

// Starts `aqueduct-server serve` on a free loopback port and reads its endpoint from its first line.
class ServerTestProcess
{
public:
    ~ServerTestProcess() { stop(); }

    enum Ingest
    {
        WithoutIngest,
        WithIngest,
    };

    bool start(const QString &dataDir, const QStringList &extra = {}, Ingest ingest = WithoutIngest,
               const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
    {
        const QString binary = qEnvironmentVariable("AQ_SERVER_BIN");
        if (binary.isEmpty()) {
            qWarning("AQ_SERVER_BIN is not set");
            return false;
        }
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        QStringList arguments {QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"), dataDir};
        if (ingest == WithoutIngest)
            arguments.append(QStringLiteral("--no-ingest"));
        m_process.setProcessEnvironment(environment);
        m_stderr.clear();
        m_process.start(binary, arguments + extra);
        if (!m_process.waitForStarted(10000))
            return false;
        static const QRegularExpression pattern(QStringLiteral("serving the local cloud on (https?://\\S+)"));
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 20000) {
            m_stderr += m_process.readAllStandardError();
            const QRegularExpressionMatch m = pattern.match(QString::fromUtf8(m_stderr));
            if (m.hasMatch()) {
                m_endpoint = QUrl(m.captured(1));
                return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                break;
            m_process.waitForReadyRead(200);
        }
        qWarning("server did not start: %s", m_stderr.constData());
        return false;
    }

    void kill()
    {
        m_process.kill();   // SIGKILL: no chance to flush anything
        m_process.waitForFinished(10000);
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(10000))
            kill();
    }

    QUrl endpoint() const { return m_endpoint; }
    QProcess &process() { return m_process; }
    QByteArray stderrText() { return m_stderr += m_process.readAllStandardError(); }

private:
    QProcess m_process;
    QUrl m_endpoint;
    QByteArray m_stderr;
};
