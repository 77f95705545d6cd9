"""Which test digits the network gets wrong: a confusion matrix, and the digits behind each cell.

Rows are the true digit, columns the predicted one, each cell the number of test images. The
diagonal (correct) is coloured with the negative end of the shared diverging map, mistakes with
the positive end (the most frequent mistake at full strength), empty cells mid-grey. Clicking a
cell (or Enter on it) lists its digits as thumbnails; clicking one asks to load it into the image
editor (``digit_chosen``). The view only shows data it is given: it never computes.
"""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import (
    QBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..colours import CANVAS_BACKGROUND, DEFAULT_DIVERGING, diverging, text_colour_for

#: At most this many thumbnails are listed for one cell (the diagonal can hold thousands).
MAX_LISTED = 300
THUMBNAIL = 56  # pixels: 28x28 digits drawn at twice their size
EMPTY_HINT = "Train the network: the confusion matrix of the test digits appears here when training ends."
GRID_BACKGROUND = QColor(*CANVAS_BACKGROUND)
LABEL_COLOUR = QColor(238, 238, 238)
CURRENT_COLOUR = QColor(255, 255, 255)


def palette_ends(name: str) -> tuple[str, str]:
    """The words for the two ends of a diverging palette, e.g. ``("blue", "red")``."""
    match = re.search(r"([a-z]+)-grey-([a-z]+)", name.lower())
    return (match.group(1), match.group(2)) if match else ("negative colour", "positive colour")


def confusion_colours(matrix: np.ndarray) -> np.ndarray:
    """Colour positions 0..1 (0.5 = zero) for each cell of ``matrix`` (K, K) counts.

    The diagonal goes towards 0 with the fraction of its row that is correct; a mistake goes
    towards 1 relative to the most frequent mistake (at least a quarter of the way, so a single
    mistake still shows); an empty cell stays at 0.5.
    """
    counts = np.asarray(matrix, dtype=np.float64)
    rows = counts.sum(axis=1, keepdims=True)
    fraction = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    off = counts.copy()
    np.fill_diagonal(off, 0)
    peak = off.max() if off.size else 0.0
    mistakes = np.where(off > 0, np.maximum(0.25, off / max(peak, 1.0)), 0.0)
    positions = 0.5 + 0.5 * mistakes
    diagonal = np.arange(len(counts))
    positions[diagonal, diagonal] = 0.5 - 0.5 * fraction[diagonal, diagonal]
    return positions


def digit_icon(image: np.ndarray) -> QIcon:
    """A 28x28 digit (0 background, 1 ink) as a greyscale thumbnail icon."""
    pixels = np.ascontiguousarray(np.clip(np.asarray(image) * 255.0, 0, 255).astype(np.uint8))
    height, width = pixels.shape
    picture = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    return QIcon(QPixmap.fromImage(picture.scaled(THUMBNAIL, THUMBNAIL)))


class ConfusionGridView(QWidget):
    """The painted K x K grid of counts with digit labels; click or Enter picks a cell."""

    cell_clicked = Signal(int, int)  # true digit, predicted digit

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Confusion matrix")
        self.setToolTip(
            "Rows: the true digit; columns: the digit the network predicted; each cell counts test images.\n"
            "Click a cell (or move with the arrow keys and press Enter) to list its digits."
        )
        self.matrix: np.ndarray | None = None
        self._colours: list[QColor] = []
        self._text_colours: list[QColor] = []
        self._texts: list[str] = []
        self.current: tuple[int, int] = (0, 0)
        self.selected: tuple[int, int] | None = None
        self._palette = DEFAULT_DIVERGING

    # ----- data
    def set_matrix(self, matrix: np.ndarray | None) -> None:
        """Show ``matrix`` (K, K) int counts, or nothing; colours and texts are prepared here, once."""
        self.matrix = None if matrix is None else np.asarray(matrix, dtype=np.int64)
        self.selected = None
        self._prepare()
        self.update()

    def set_palette(self, name: str) -> None:
        self._palette = name
        self._prepare()
        self.update()

    def _prepare(self) -> None:
        self._colours, self._text_colours, self._texts = [], [], []
        if self.matrix is None:
            return
        rgba = diverging(self._palette).map(confusion_colours(self.matrix).ravel(), mode="byte")
        for (r, g, b, *_), count in zip(rgba, self.matrix.ravel(), strict=True):
            rgb = (int(r), int(g), int(b))
            self._colours.append(QColor(*rgb))
            self._text_colours.append(QColor(*text_colour_for(rgb)))
            self._texts.append(f"{count:,}" if count else "")

    @property
    def classes(self) -> int:
        return 0 if self.matrix is None else len(self.matrix)

    # ----- geometry
    def _layout(self) -> tuple[float, float, float]:
        """(left, top, cell): where the grid starts and its cell size in pixels."""
        k = max(1, self.classes or 10)
        label = max(28.0, min(self.width(), self.height()) * 0.09)
        cell = max(8.0, min((self.width() - label - 4) / k, (self.height() - label - 4) / k))
        left = label + max(0.0, (self.width() - label - 4 - cell * k) / 2)
        return left, label, cell

    def cell_rect(self, true: int, predicted: int) -> QRectF:
        """Where cell (true, predicted) is drawn, in this widget's coordinates."""
        left, top, cell = self._layout()
        return QRectF(left + predicted * cell, top + true * cell, cell, cell)

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        if self.matrix is None:
            return None
        left, top, cell = self._layout()
        col = int((point.x() - left) // cell)
        row = int((point.y() - top) // cell)
        k = self.classes
        return (row, col) if 0 <= row < k and 0 <= col < k and point.x() >= left and point.y() >= top else None

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, 420)

    # ----- drawing (only drawing: colours and texts were prepared in set_matrix)
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.fillRect(self.rect(), GRID_BACKGROUND)
        k = self.classes
        left, top, cell = self._layout()
        if k == 0:
            painter.setPen(LABEL_COLOUR)
            flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter
            painter.drawText(self.rect().adjusted(12, 12, -12, -12), flags, EMPTY_HINT)
            return
        longest = max(len(text) for text in self._texts) or 1
        font = QFont(self.font())
        font.setPixelSize(max(8, int(min(cell * 0.42, cell * 0.92 / (0.62 * longest)))))
        label_font = QFont(self.font())
        label_font.setPixelSize(max(9, int(min(top * 0.5, cell * 0.55))))
        label_font.setBold(True)
        painter.setFont(label_font)
        painter.setPen(LABEL_COLOUR)
        for index in range(k):
            painter.drawText(QRectF(left + index * cell, top * 0.45, cell, top * 0.55), Qt.AlignCenter, str(index))
            painter.drawText(QRectF(left - top * 0.6, top + index * cell, top * 0.6, cell), Qt.AlignCenter, str(index))
        small = QFont(self.font())
        small.setPixelSize(max(9, int(top * 0.36)))
        painter.setFont(small)
        painter.drawText(QRectF(left, 0, cell * k, top * 0.45), Qt.AlignCenter, "predicted \u2192")
        painter.save()
        painter.translate(left - top, top + cell * k)
        painter.rotate(-90)
        painter.drawText(QRectF(0, 0, cell * k, top * 0.4), Qt.AlignCenter, "true digit \u2192")
        painter.restore()

        painter.setFont(font)
        for index, (colour, ink, text) in enumerate(zip(self._colours, self._text_colours, self._texts, strict=True)):
            rect = QRectF(left + (index % k) * cell, top + (index // k) * cell, cell, cell)
            painter.fillRect(rect, colour)
            if text:
                painter.setPen(ink)
                painter.drawText(rect, Qt.AlignCenter, text)
        painter.setPen(QPen(GRID_BACKGROUND, 1))
        for index in range(k + 1):
            painter.drawLine(QPointF(left + index * cell, top), QPointF(left + index * cell, top + k * cell))
            painter.drawLine(QPointF(left, top + index * cell), QPointF(left + k * cell, top + index * cell))
        if self.selected is not None:
            painter.setPen(QPen(CURRENT_COLOUR, 3))
            painter.drawRect(self.cell_rect(*self.selected).adjusted(1.5, 1.5, -1.5, -1.5))
        if self.hasFocus():
            painter.setPen(QPen(CURRENT_COLOUR, 1, Qt.PenStyle.DashLine))
            painter.drawRect(self.cell_rect(*self.current).adjusted(4, 4, -4, -4))

    # ----- input
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == Qt.MouseButton.LeftButton:
            self.current = cell
            self.pick(*cell)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        cell = self.cell_at(event.position())
        if cell is not None and self.matrix is not None:
            true, predicted = cell
            count = int(self.matrix[true, predicted])
            verdict = "correct" if true == predicted else "mistaken"
            text = f"True {true}, predicted {predicted}: {count:,} test digit{'s' if count != 1 else ''} ({verdict})"
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        super().mouseMoveEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        k = self.classes
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1), Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        if k and event.key() in moves:
            dy, dx = moves[event.key()]
            self.current = (min(k - 1, max(0, self.current[0] + dy)), min(k - 1, max(0, self.current[1] + dx)))
            self.update()
            return
        if k and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.pick(*self.current)
            return
        super().keyPressEvent(event)

    def pick(self, true: int, predicted: int) -> None:
        """Select cell (true, predicted) and say so."""
        self.selected = (true, predicted)
        self.update()
        self.cell_clicked.emit(true, predicted)


class ConfusionView(QWidget):
    """The confusion matrix of the test split plus the digits of the chosen cell.

    Feed it with :meth:`set_result`; a click on a cell (or :meth:`select_cell`) lists that cell's
    digits; a click on a digit (or :meth:`choose_digit`) emits ``digit_chosen(test index)``.
    """

    cell_selected = Signal(int, int)  # true digit, predicted digit
    digit_chosen = Signal(int)  # index of the digit in the test split

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: np.ndarray | None = None
        self.predictions: np.ndarray | None = None
        self.images: np.ndarray | None = None
        self.listed: list[int] = []  # test indices now in the list
        self._source = ""

        self.caption = QLabel(EMPTY_HINT)
        self.caption.setWordWrap(True)
        self.caption.setToolTip("What the matrix shows and how the network did on the test digits")
        self.grid = ConfusionGridView()
        self.cell_label = QLabel("")
        self.cell_label.setWordWrap(True)
        self.digits = QListWidget()
        self.digits.setViewMode(QListWidget.ViewMode.IconMode)
        self.digits.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.digits.setGridSize(QSize(THUMBNAIL + 18, THUMBNAIL + 24))
        self.digits.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.digits.setMovement(QListWidget.Movement.Static)
        self.digits.setUniformItemSizes(True)
        self.digits.setMinimumHeight(THUMBNAIL + 28)
        self.digits.setToolTip("The test digits of the chosen cell: click one to load it into the image editor")
        self.digits.setAccessibleName("Digits of the chosen cell")

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.cell_label)
        side_layout.addWidget(self.digits, 1)
        self._body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self._body.addWidget(self.grid, 4)
        self._body.addWidget(side, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addLayout(self._body, 1)

        self.grid.cell_clicked.connect(self.select_cell)
        self.digits.itemClicked.connect(self._item_chosen)
        self.digits.itemActivated.connect(self._item_chosen)
        self.set_palette(DEFAULT_DIVERGING)

    def set_direction(self, direction: QBoxLayout.Direction) -> None:
        """The chosen cell's digits below the matrix (a tall panel) or beside it (a wide, low one)."""
        self._body.setDirection(direction)
        self.grid.setMinimumSize(*((150, 150) if direction == QBoxLayout.Direction.LeftToRight else (220, 220)))
        self.layout().invalidate()
        self.updateGeometry()

    def set_palette(self, name: str) -> None:
        """Colour the cells with the diverging palette ``name`` (from colours.DIVERGING)."""
        self._palette = name
        self.grid.set_palette(name)
        self._update_caption()

    def set_result(
        self, matrix: np.ndarray, labels: np.ndarray, predictions: np.ndarray, images: np.ndarray, source: str = ""
    ) -> None:
        """Show ``matrix`` (K, K) for the test digits ``images`` (N, H, W) with true ``labels`` (N,)
        and the network's ``predictions`` (N,); ``source`` names the digits in the caption."""
        self.labels, self.predictions, self.images = np.asarray(labels), np.asarray(predictions), images
        self._source = source
        self.grid.set_matrix(matrix)
        self.digits.clear()
        self.listed = []
        self.cell_label.setText("Click a cell to see its digits.")
        self._update_caption()

    def clear(self) -> None:
        self.labels = self.predictions = self.images = None
        self.grid.set_matrix(None)
        self.digits.clear()
        self.listed = []
        self.cell_label.setText("")
        self._update_caption()

    @property
    def matrix(self) -> np.ndarray | None:
        return self.grid.matrix

    def _update_caption(self) -> None:
        matrix = self.grid.matrix
        if matrix is None:
            self.caption.setText(EMPTY_HINT)
            return
        total = int(matrix.sum())
        accuracy = float(np.trace(matrix)) / max(1, total)
        low, high = palette_ends(self._palette)
        self.caption.setToolTip(f"The test split of: {self._source}" if self._source else "")
        self.caption.setText(
            f"<b>{total:,} test digits: {100 * accuracy:.1f}% correct.</b><br>"
            f"Rows: true digit, columns: predicted. Diagonal ({low}) = correct, {high} = mistakes."
        )

    def select_cell(self, true: int, predicted: int) -> list[int]:
        """List the digits of cell (true, predicted); returns their test indices (all of them)."""
        if self.labels is None or self.predictions is None or self.images is None:
            return []
        if (true, predicted) != self.grid.selected:
            self.grid.selected = (true, predicted)
            self.grid.current = (true, predicted)
            self.grid.update()
        indices = np.flatnonzero((self.labels == true) & (self.predictions == predicted))
        shown = indices[:MAX_LISTED]
        self.digits.setUpdatesEnabled(False)
        self.digits.clear()
        for index in shown:
            item = QListWidgetItem(digit_icon(self.images[index]), f"#{index}")
            item.setData(Qt.ItemDataRole.UserRole, int(index))
            item.setToolTip(f"Test digit #{index}: a {true}, predicted {predicted}. Click to load it into the editor.")
            self.digits.addItem(item)
        self.digits.setUpdatesEnabled(True)
        self.listed = [int(i) for i in shown]
        verdict = "correct" if true == predicted else f"{true}s taken for {predicted}s"
        more = f" (showing the first {MAX_LISTED:,})" if len(indices) > MAX_LISTED else ""
        if len(indices):
            plural = "s" if len(indices) != 1 else ""
            self.cell_label.setText(
                f"True {true}, predicted {predicted} ({verdict}): {len(indices):,} digit{plural}{more}. "
                "Click one to load it into the image editor."
            )
        else:
            self.cell_label.setText(f"True {true}, predicted {predicted}: no test digits in this cell.")
        self.cell_selected.emit(true, predicted)
        return [int(i) for i in indices]

    def choose_digit(self, index: int) -> None:
        """Ask for test digit ``index`` to be loaded into the editor."""
        self.digit_chosen.emit(int(index))

    def _item_chosen(self, item: QListWidgetItem) -> None:
        self.choose_digit(int(item.data(Qt.ItemDataRole.UserRole)))

    def digit(self, index: int) -> tuple[np.ndarray, int, int]:
        """Test digit ``index``: (image (H, W) copy, true label, predicted label)."""
        if self.images is None or self.labels is None or self.predictions is None:
            raise LookupError("no confusion matrix yet")
        return np.array(self.images[index], dtype=np.float32), int(self.labels[index]), int(self.predictions[index])
