#pragma once

// The console as `aqueduct` runs it, for tests: ServeHost (the local cloud and the ingest pipeline) on a temporary
// data folder, and the MainWindow (1280 x 800, shown) connected to it. The Publish page records its runs in a
// temporary folder, not in the user's app data. Header-only: each test executable includes it once.

#include <memory>

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/common/result.h"
#include "core/localcloud/localbackend.h"
#include "core/server/servehost.h"
#include "ui/consolecontext.h"
#include "ui/mainwindow.h"
#include "ui/publish/publishpage.h"

namespace Aq::Ui::Test
{
    using namespace Qt::Literals::StringLiterals;

    class ConsoleTestHost
    {
    public:
        Status start()
        {
            if (!m_dir.isValid() || !m_runs.isValid())
                return ApiError::internal(u"no temporary folder"_s);
            Result<Server::ServeOptions> options = Server::parseServeOptions(
                {u"aqueduct"_s, u"serve"_s, u"--listen"_s, u"127.0.0.1:0"_s, u"--data-dir"_s, m_dir.path()});
            if (!options)
                return options.error();
            m_host = std::make_unique<Server::ServeHost>(*options);
            QSignalSpy started(m_host.get(), &Server::ServeHost::pipelineStarted);
            if (const auto failure = m_host->start())
                return ApiError::internal(u"the host did not start: %1"_s.arg(failure->message));
            if (!started.wait(30000))
                return ApiError::internal(u"the pipeline did not start within 30 s"_s);

            m_context.profile = options->profile;
            m_context.ingest = options->ingestSettings;
            m_context.local = m_host->localBackend();
            m_context.metrics = m_host->metrics();
            m_context.endpoint = m_host->endpoint();
            m_context.backendDescription = u"local cloud · %1"_s.arg(m_host->endpoint().toString());
            m_window = std::make_unique<MainWindow>(m_context);
            m_window->publishPage()->setRunsFolder(m_runs.path());
            m_window->resize(1280, 800);
            m_window->show();
            QSignalSpy connected(m_window.get(), &MainWindow::connected);
            QSignalSpy failed(m_window.get(), &MainWindow::connectionFailed);
            m_window->connectToBackends();
            if (!QTest::qWaitFor([&] { return connected.count() + failed.count() > 0; }, 20000))
                return ApiError::internal(u"the window did not connect within 20 s"_s);
            if (!failed.isEmpty())
                return ApiError::unavailable(failed.first().first().toString());
            return Ok {};
        }

        // Closes the window, then drains the host.
        Status stop()
        {
            m_window.reset();
            if (!m_host)
                return Ok {};
            QSignalSpy finished(m_host.get(), &Server::ServeHost::finished);
            m_host->drain();
            if (!finished.wait(15000))
                return ApiError::internal(u"the host did not finish within 15 s"_s);
            return Ok {};
        }

        Server::ServeHost *host() const { return m_host.get(); }
        MainWindow *window() const { return m_window.get(); }
        const ConsoleContext &context() const { return m_context; }
        QString runsFolder() const { return m_runs.path(); }

    private:
        QTemporaryDir m_dir;
        QTemporaryDir m_runs;
        ConsoleContext m_context;
        std::unique_ptr<Server::ServeHost> m_host;
        std::unique_ptr<MainWindow> m_window;
    };
}
