#include "app/cli/progressline.h"

#include <unistd.h>

namespace Aq::Cli
{
    ProgressLine::ProgressLine(FILE *stream, Text text, QObject *parent)
        : QObject(parent)
        , m_stream {stream}
        , m_text {std::move(text)}
        , m_active {::isatty(::fileno(stream)) == 1}
    {
        m_timer.setInterval(100);
        connect(&m_timer, &QTimer::timeout, this, &ProgressLine::draw);
    }

    ProgressLine::~ProgressLine()
    {
        stop();
    }

    void ProgressLine::start()
    {
        if (m_active)
            m_timer.start();
    }

    void ProgressLine::clear()
    {
        if (!m_drawn)
            return;
        fputs("\r\033[K", m_stream);
        fflush(m_stream);
        m_drawn = false;
    }

    void ProgressLine::stop()
    {
        m_timer.stop();
        clear();
    }

    void ProgressLine::draw()
    {
        fprintf(m_stream, "\r%s\033[K", qPrintable(m_text()));
        fflush(m_stream);
        m_drawn = true;
    }
}
