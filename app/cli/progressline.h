#pragma once

#include <cstdio>
#include <functional>

#include <QObject>
#include <QTimer>

namespace Aq::Cli
{
    // A status line redrawn in place on a terminal, at most 10 times a second; nothing at all when the stream
    // is not a terminal (a log file, a pipe), so that output stays clean there.
    class ProgressLine final : public QObject
    {
        Q_OBJECT

    public:
        using Text = std::function<QString()>;

        ProgressLine(FILE *stream, Text text, QObject *parent = nullptr);
        ~ProgressLine() override;

        bool isActive() const { return m_active; }
        void start();
        // Erases the line, so that a message or the summary can be printed; the next tick draws it again.
        void clear();
        void stop();

    private:
        void draw();

        FILE *m_stream;
        Text m_text;
        QTimer m_timer;
        bool m_active = false;
        bool m_drawn = false;
    };
}
