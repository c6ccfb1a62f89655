#pragma once

#include <QObject>
#include <QSocketNotifier>

namespace Aq
{
    // Turns SIGTERM / SIGINT into a Qt signal on the thread that created the watcher (self-pipe trick:
    // a signal handler may only write to a descriptor).
    class UnixSignalWatcher final : public QObject
    {
        Q_OBJECT

    public:
        explicit UnixSignalWatcher(QObject *parent = nullptr);
        ~UnixSignalWatcher() override;

    signals:
        void terminationRequested(int signalNumber);

    private:
        void handleActivated();

        QSocketNotifier *m_notifier = nullptr;
    };
}
