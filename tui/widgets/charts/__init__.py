"""Line charts of container stats: pure scaling, braille packing and layout, and the widget."""
