#pragma once

#include <QColor>
#include <QFrame>

class QLabel;

namespace Aq::Ui
{
    // A figure beside the charts: a caption, a large value and a line of detail, with a strip of the colour its
    // line has in the charts.
    class StatCard : public QFrame
    {
        Q_OBJECT

    public:
        StatCard(const QString &caption, const QColor &accent, QWidget *parent = nullptr);

        QString value() const;
        QString detail() const;
        // Both set the text only when it differs, so that an unchanged figure costs no relayout or repaint.
        void setValue(const QString &value);
        void setDetail(const QString &detail);
        void applyPalette(const QPalette &palette);

    private:
        QColor m_accent;
        QLabel *m_caption;
        QLabel *m_value;
        QLabel *m_detail;
    };
}
